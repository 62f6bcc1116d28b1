import { useState } from 'react';
import '@emotion-detector/element/define';
import '@emotion-detector/element/react';
import type { Face } from '@emotion-detector/element';

export function App() {
  const [faces, setFaces] = useState<Face[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <main data-faces={faces?.length} data-error={error ?? undefined}>
      <emotion-detector
        overlay="bars"
        max-faces={8}
        onemotion-faces={(e) => setFaces(e.detail.faces)}
        onemotion-error={(e) => setError(`${e.detail.code}: ${e.detail.message}`)}
      >
        <img src="/sample1.jpg" alt="Three people" />
      </emotion-detector>
      <ul>{faces?.map((f) => <li key={f.id}>{f.dominant}</li>)}</ul>
    </main>
  );
}
