// Room assignment: connection i joins room i % rooms, by the URL's ?room= parameter. Over several agents, room r
// is agent r % count's, with every member of it, so each message's send and deliveries are timed on one clock. A ?room= already in the
// URL names the room (one room) or is the prefix of the room names (several rooms).

export function roomNames(url: string, rooms: number): string[] {
  const given = new URL(url).searchParams.get('room');
  if (rooms === 1) return [given ?? 'room0'];
  const prefix = given ?? 'room';
  return Array.from({ length: rooms }, (_, k) => `${prefix}${k}`);
}

export function roomUrl(url: string, room: string): string {
  const u = new URL(url);
  u.searchParams.set('room', room);
  return u.toString();
}

/** The room of each client a segment opens: of clients 0..connections-1, those whose room is the segment's. */
export function segmentRooms(
  connections: number,
  rooms: number,
  segment: { index: number; count: number },
): number[] {
  const out: number[] = [];
  for (let i = 0; i < connections; i++) {
    const room = i % rooms;
    if (room % segment.count === segment.index) out.push(room);
  }
  return out;
}
