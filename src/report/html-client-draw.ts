// Drawing both report scripts do alike (html-client.ts, html-client-verdicts.ts). html.ts inlines this function's
// source like theirs (Function.prototype.toString) and hands its result to each, so it stays self-contained too:
// no imports, no outside helpers; types only.

export function clientDraw() {
  /** `hex` (#rrggbb) at opacity `a`, as #rrggbbaa. */
  const alpha = (hex: string, a: number) =>
    hex +
    Math.round(a * 255)
      .toString(16)
      .padStart(2, '0');

  /**
   * Diagonal stripes over the colour at opacity `fill`, on a square tile of `size` px: a bar whose true value can
   * only be higher. `seamless`: the stripe's ends are drawn again past the tile's other corners, so thick
   * stripes do not break where tiles meet.
   */
  const stripes = (
    hex: string,
    tile: { size: number; fill: number; lineWidth: number; seamless?: boolean },
  ): CanvasPattern | string => {
    const n = tile.size;
    const c = document.createElement('canvas');
    c.width = c.height = n;
    const g = c.getContext('2d');
    if (!g) return hex;
    g.fillStyle = alpha(hex, tile.fill);
    g.fillRect(0, 0, n, n);
    g.strokeStyle = hex;
    g.lineWidth = tile.lineWidth;
    g.beginPath();
    g.moveTo(0, n);
    g.lineTo(n, 0);
    if (tile.seamless) {
      g.moveTo(-2, 2);
      g.lineTo(2, -2);
      g.moveTo(n - 2, n + 2);
      g.lineTo(n + 2, n - 2);
    }
    g.stroke();
    return g.createPattern(c, 'repeat') ?? hex;
  };

  /**
   * A bar's 95 % whisker from lo to hi at height y, capped `cap` px either side. `open`: the interval has no
   * upper end (a lower bound), so hi gets an arrow head instead of a cap.
   */
  const whisker = (
    ctx: CanvasRenderingContext2D,
    lo: number,
    hi: number,
    y: number,
    cap: number,
    lineWidth: number,
    open = false,
  ): void => {
    ctx.strokeStyle = '#212529';
    ctx.lineWidth = lineWidth;
    ctx.beginPath();
    ctx.moveTo(lo, y);
    ctx.lineTo(hi, y);
    ctx.moveTo(lo, y - cap);
    ctx.lineTo(lo, y + cap);
    if (open) {
      ctx.moveTo(hi - 4, y - 3);
      ctx.lineTo(hi, y);
      ctx.lineTo(hi - 4, y + 3);
    } else {
      ctx.moveTo(hi, y - cap);
      ctx.lineTo(hi, y + cap);
    }
    ctx.stroke();
  };
  return { alpha, stripes, whisker };
}

export type ClientDraw = ReturnType<typeof clientDraw>;
