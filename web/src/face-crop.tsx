import { API } from './api-paths.js';

/** Each crop's edge in a content's `faces/face@1x` strip (the generator's FACE_CROP_EDGE). */
const STRIP_EDGE = 96;

/**
 * One face cut from its content's strip of crops (`faces/face@1x`: the faces side by side, in the
 * order of the faces list), SIZE px square. The file route fetches the strip from a paired device
 * when this one has none.
 */
export function FaceCrop({ libId, contentUuid, index, size = STRIP_EDGE, label }: { libId: string; contentUuid: string; index: number; size?: number; label: string }) {
  const url = API.sidecar(libId, contentUuid, 'faces', 'face@1x');
  return (
    <span
      className="face-crop"
      role="img"
      aria-label={label}
      style={{ width: size, height: size, backgroundImage: `url("${url}")`, backgroundSize: `auto ${size}px`, backgroundPosition: `${-index * size}px 0` }}
    />
  );
}
