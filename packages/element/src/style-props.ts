/**
 * `style=${styleProps({ left: '4px', '--_color': 'red' })}`: Lit's styleMap without its first
 * render's `style="..."` attribute string. Every value goes through the CSSOM
 * (`style.setProperty`), which a page CSP without `style-src 'unsafe-inline'` allows, where an
 * inline style attribute is refused (a console error, and the overlay unplaced).
 */
import { noChange } from 'lit';
import { Directive, directive, PartType, type AttributePart, type PartInfo } from 'lit/directive.js';

export type StyleProps = Readonly<Record<string, string | undefined | null>>;

/** camelCase to the CSS name (custom properties and dashed names stay as they are). */
const cssName = (name: string) => (name.includes('-') ? name : name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));

class StylePropsDirective extends Directive {
  private previous = new Set<string>();

  constructor(part: PartInfo) {
    super(part);
    if (part.type !== PartType.ATTRIBUTE || part.name !== 'style') throw new Error('styleProps() belongs in a style attribute binding');
  }

  render(_styles: StyleProps): typeof noChange {
    return noChange;
  }

  override update(part: AttributePart, [styles]: [StyleProps]): typeof noChange {
    const { style } = part.element as HTMLElement;
    for (const name of this.previous) if (styles[name] == null) style.removeProperty(cssName(name));
    this.previous = new Set();
    for (const [name, value] of Object.entries(styles)) {
      if (value == null) continue;
      style.setProperty(cssName(name), value);
      this.previous.add(name);
    }
    return noChange;
  }
}

export const styleProps = directive(StylePropsDirective);
