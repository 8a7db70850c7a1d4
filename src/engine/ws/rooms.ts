// Room assignment: connection i joins room i % rooms, by the URL's ?room= parameter. A ?room= already in the
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
