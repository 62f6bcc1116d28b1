/** The overlay's markup: one positioned group per face with a box, a label and/or bars; the status message. */
import { html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { styleProps } from './style-props.js';
import type { Box, Face } from '@emotion-detector/core';
import { EMOTIONS, placeBox, type MediaLayout, type Size } from '@emotion-detector/core/layout';

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

/**
 * Maps every face onto the layout (measured relative to the overlay's container), in the
 * coordinates of the overlay layer, which covers the content box; faces that do not show are left out.
 */
export function placeFaces(faces: readonly Face[], layout: MediaLayout, frame: Size): PlacedFace[] {
  const out: PlacedFace[] = [];
  const size = frame.width > 0 && frame.height > 0 ? frame : layout.intrinsic;
  for (const face of faces) {
    const box = placeBox(face.box, size, layout);
    if (box) out.push({ face, box: { ...box, x: box.x - layout.content.x, y: box.y - layout.content.y } });
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
    style=${styleProps({ left: px(content.x), top: px(content.y), width: px(content.width), height: px(content.height) })}
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
          style=${styleProps({
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
          ><span class="fill" style=${styleProps({ height: pct(Math.max(face.emotions[e], 0.03)), background: color(e) })}></span
        ></span>`,
      )}
    </div>`;
  }
  return html`<div class="bars rows ${at}" part="bars">
    ${EMOTIONS.map(
      (e) => html`<div class="bar" part="bar bar-${e}" data-emotion=${e}>
        <span class="name">${e}</span>
        <span class="track"><span class="fill" style=${styleProps({ width: pct(face.emotions[e]), background: color(e) })}></span></span>
        <span class="value">${pct(face.emotions[e])}</span>
      </div>`,
    )}
  </div>`;
}

/** The loading progress, or the error message (an alert), over the media. */
export function renderStatus(state: string, progress: number, error: string | undefined): TemplateResult | typeof nothing {
  if (state === 'loading') {
    const p = Math.round(progress * 100);
    return html`<div class="status loading" part="status">
      <span>Loading emotion model… ${p}%</span>
      <progress part="progress" max="100" .value=${p} aria-label="Loading emotion model"></progress>
    </div>`;
  }
  if (state === 'error' && error) return html`<div class="status error" part="status" role="alert">${error}</div>`;
  return nothing;
}
