/** The overlay's markup: one positioned group per face with a box, a label and/or bars. */
import { html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { styleMap } from 'lit/directives/style-map.js';
import { EMOTIONS, type Box, type Face } from '@emotion-detector/core';
import { clip, mapBox } from './geometry.js';
import type { MediaLayout } from './media.js';

export type OverlayMode = 'none' | 'boxes' | 'labels' | 'bars';

/** Height the bars need below or above a box (7 rows); keep in sync with the CSS. */
const BARS_HEIGHT = 7 * 14 + 10;
const LABEL_HEIGHT = 22;

const pct = (p: number) => `${Math.round(p * 100)}%`;
const px = (n: number) => `${n.toFixed(1)}px`;

export interface PlacedFace {
  face: Face;
  box: Box;
}

/** Maps every face onto the layout; faces fully outside the visible area are left out. */
export function placeFaces(faces: readonly Face[], layout: MediaLayout, source: { width: number; height: number }): PlacedFace[] {
  const out: PlacedFace[] = [];
  const size = source.width > 0 && source.height > 0 ? source : layout.intrinsic;
  for (const face of faces) {
    const mapped = mapBox(face.box, size, layout.drawn, layout.content, layout.mirrored);
    const box = clip(mapped, layout.content);
    if (box) out.push({ face, box });
  }
  return out;
}

export function renderOverlay(mode: OverlayMode, layout: MediaLayout | null, placed: readonly PlacedFace[]): TemplateResult | typeof nothing {
  if (mode === 'none' || !layout) return nothing;
  const { content } = layout;
  return html`<div
    class="overlay"
    part="overlay"
    aria-hidden="true"
    style=${styleMap({ left: px(content.x), top: px(content.y), width: px(content.width), height: px(content.height) })}
  >
    ${repeat(
      placed,
      (p) => p.face.id,
      ({ face, box }) => {
        const below = content.height - (box.y + box.height);
        const barsAt = below >= BARS_HEIGHT ? 'below' : box.y >= BARS_HEIGHT ? 'above' : 'inside';
        const labelAt = box.y >= LABEL_HEIGHT ? 'above' : 'inside';
        return html`<div
          class="face"
          part="face"
          data-emotion=${face.dominant}
          style=${styleMap({
            left: px(box.x),
            top: px(box.y),
            width: px(box.width),
            height: px(box.height),
            '--_color': `var(--emotion-color-${face.dominant}, var(--_default-${face.dominant}))`,
          })}
        >
          <div class="box" part="box"></div>
          ${mode === 'labels' || mode === 'bars'
            ? html`<div class="label ${labelAt}" part="label">${face.dominant} ${pct(face.emotions[face.dominant])}</div>`
            : nothing}
          ${mode === 'bars'
            ? html`<div class="bars ${barsAt}" part="bars">
                ${EMOTIONS.map(
                  (e) => html`<div class="bar" part="bar bar-${e}" data-emotion=${e}>
                    <span class="name">${e}</span>
                    <span class="track"><span class="fill" style=${styleMap({ width: pct(face.emotions[e]), background: `var(--emotion-color-${e}, var(--_default-${e}))` })}></span></span>
                    <span class="value">${pct(face.emotions[e])}</span>
                  </div>`,
                )}
              </div>`
            : nothing}
        </div>`;
      },
    )}
  </div>`;
}
