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
/** Narrower boxes get a compact column chart, so neighbouring faces' bars do not overlap. */
const ROWS_MIN_WIDTH = 130;
const LABEL_HEIGHT = 22;
/** A typical label's width ("surprise 100%"), to keep it inside the media. */
const LABEL_WIDTH = 110;
const COMPACT_WIDTH = 56;

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
        // Small faces get the emotion only; a label that would leave the media grows leftwards.
        const compact = box.width < COMPACT_WIDTH;
        const labelEnd = box.x + LABEL_WIDTH > content.width;
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
            ? html`<div class="label ${labelAt} ${labelEnd ? 'end' : ''}" part="label">
                ${face.dominant}${compact ? nothing : html` <span class="pct">${pct(face.emotions[face.dominant])}</span>`}
              </div>`
            : nothing}
          ${mode === 'bars' ? renderBars(face, box.width >= ROWS_MIN_WIDTH ? 'rows' : 'columns', barsAt) : nothing}
        </div>`;
      },
    )}
  </div>`;
}

function renderBars(face: Face, layout: 'rows' | 'columns', at: string): TemplateResult {
  const color = (e: string) => `var(--emotion-color-${e}, var(--_default-${e}))`;
  if (layout === 'columns') {
    return html`<div class="bars columns ${at === 'inside' ? 'inside' : 'below'}" part="bars">
      ${EMOTIONS.map(
        (e) => html`<span class="bar" part="bar bar-${e}" data-emotion=${e} title="${e} ${pct(face.emotions[e])}"
          ><span class="fill" style=${styleMap({ height: pct(Math.max(face.emotions[e], 0.03)), background: color(e) })}></span
        ></span>`,
      )}
    </div>`;
  }
  return html`<div class="bars rows ${at}" part="bars">
    ${EMOTIONS.map(
      (e) => html`<div class="bar" part="bar bar-${e}" data-emotion=${e}>
        <span class="name">${e}</span>
        <span class="track"><span class="fill" style=${styleMap({ width: pct(face.emotions[e]), background: color(e) })}></span></span>
        <span class="value">${pct(face.emotions[e])}</span>
      </div>`,
    )}
  </div>`;
}
