import { css, unsafeCSS } from 'lit';
import { EMOTIONS, EMOTION_COLORS } from '@emotion-detector/core/layout';

/** The engine's palette as the defaults of `--emotion-color-<emotion>`. */
const palette = unsafeCSS(EMOTIONS.map((e) => `--_default-${e}: ${EMOTION_COLORS[e]};`).join('\n'));

export const styles = css`
  :host {
    /* Per-emotion colours (core's EMOTION_COLORS); override with --emotion-color-<emotion>. */
    ${palette}
    display: inline-block;
    position: relative;
    vertical-align: top;
    max-width: 100%;
    line-height: normal;
  }
  :host([hidden]) {
    display: none;
  }
  .frame {
    position: relative;
    width: 100%;
    height: 100%;
  }
  ::slotted(video),
  ::slotted(img),
  ::slotted(canvas) {
    display: block;
    max-width: 100%;
  }
  .camera {
    display: block;
    width: 640px;
    max-width: 100%;
    aspect-ratio: 4 / 3;
    object-fit: cover;
    background: #111;
    /* A selfie view reads naturally mirrored; the overlay follows the flip. */
    transform: scaleX(-1);
  }
  :host([facing-mode='environment']) .camera {
    transform: none;
  }
  .overlay {
    position: absolute;
    overflow: hidden;
    pointer-events: none;
    font: 600 var(--emotion-detector-font-size, 12px) / 1.2 var(--emotion-detector-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
  }
  .face {
    position: absolute;
    box-sizing: border-box;
    transition: var(--emotion-detector-transition, left 80ms linear, top 80ms linear, width 80ms linear, height 80ms linear);
  }
  .box {
    position: absolute;
    inset: 0;
    border: var(--emotion-detector-box-width, 2px) solid var(--emotion-detector-box-color, var(--_color));
    border-radius: var(--emotion-detector-box-radius, 6px);
    box-shadow: 0 0 0 1px rgb(0 0 0 / 0.25);
  }
  .label {
    position: absolute;
    left: -1px;
    padding: 2px 6px;
    white-space: nowrap;
    border-radius: 4px;
    color: var(--emotion-detector-label-color, #111);
    background: var(--emotion-detector-box-color, var(--_color));
    text-transform: capitalize;
    font-variant-numeric: tabular-nums;
  }
  .label.above {
    bottom: calc(100% + 2px);
  }
  .label.inside {
    top: 2px;
    left: 2px;
  }
  .label.end {
    left: auto;
    right: -1px;
  }
  .label.inside.end {
    right: 2px;
  }
  .label .pct {
    font-weight: 500;
    opacity: 0.85;
  }
  .bars {
    position: absolute;
    left: 0;
    min-width: 150px;
    width: 100%;
    box-sizing: border-box;
    padding: 5px 6px;
    border-radius: 6px;
    color: var(--emotion-detector-bars-color, #f8fafc);
    background: var(--emotion-detector-bars-background, rgb(15 23 42 / 0.78));
    font-weight: 500;
    font-size: 10px;
  }
  .bars.below {
    top: calc(100% + 4px);
  }
  .bars.above {
    bottom: calc(100% + 26px);
  }
  .bars.inside {
    bottom: 4px;
    left: 4px;
    width: calc(100% - 8px);
  }
  .bars.columns {
    display: flex;
    align-items: flex-end;
    gap: 2px;
    min-width: 0;
    height: 34px;
    padding: 3px;
    border-radius: 4px;
  }
  .bars.columns.below {
    top: calc(100% + 3px);
  }
  .bars.columns .bar {
    display: flex;
    align-items: flex-end;
    flex: 1;
    height: 100%;
  }
  .bars.columns .fill {
    width: 100%;
    border-radius: 2px 2px 0 0;
    transition: height 120ms linear;
  }
  .rows .bar {
    display: grid;
    grid-template-columns: 4.6em 1fr 2.8em;
    align-items: center;
    gap: 4px;
    height: 14px;
  }
  .name {
    text-transform: capitalize;
  }
  .track {
    height: 6px;
    border-radius: 3px;
    background: rgb(255 255 255 / 0.15);
    overflow: hidden;
  }
  .rows .fill {
    display: block;
    height: 100%;
    border-radius: 3px;
    transition: width 120ms linear;
  }
  .value {
    text-align: right;
    font-variant-numeric: tabular-nums;
  }
  .status {
    position: absolute;
    left: 8px;
    bottom: 8px;
    max-width: calc(100% - 16px);
    box-sizing: border-box;
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 6px 10px;
    border-radius: 8px;
    font: 500 12px/1.3 var(--emotion-detector-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    color: #f8fafc;
    background: rgb(15 23 42 / 0.82);
  }
  .status.error {
    background: var(--emotion-detector-error-background, #b91c1c);
    color: #fff;
  }
  progress {
    width: 96px;
    height: 6px;
    accent-color: var(--emotion-detector-accent, #38bdf8);
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    padding: 0;
    margin: -1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
  @media (prefers-reduced-motion: reduce) {
    .face,
    .fill {
      transition: none;
    }
  }
`;
