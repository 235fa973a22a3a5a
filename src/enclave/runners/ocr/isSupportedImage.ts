// Kept apart from the OCR engine so that checking an image does not load ONNX Runtime.

/** True for PNG and JPEG bytes, by their signatures. */
export function isSupportedImage(bytes: Uint8Array): boolean {
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
  const jpeg = [0xff, 0xd8, 0xff]
  return [png, jpeg].some((signature) => signature.every((byte, i) => bytes[i] === byte))
}
