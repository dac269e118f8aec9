// An audio file's waveform on a canvas: the min and max sample of each pixel column of the first channel.

/** Min/max pairs, one per column, from samples in [-1, 1]. */
export function peaks(samples, columns) {
  const step = Math.max(1, Math.ceil(samples.length / columns));
  const out = [];
  for (let x = 0; x < columns; x += 1) {
    let min = 1;
    let max = -1;
    const end = Math.min((x + 1) * step, samples.length);
    for (let i = x * step; i < end; i += 1) {
      if (samples[i] < min) min = samples[i];
      if (samples[i] > max) max = samples[i];
    }
    out.push(end > x * step ? [min, max] : [0, 0]);
  }
  return out;
}

/** Decode the file at url and draw it; resolves with the duration in seconds. */
export async function drawWaveform(url, canvas, color = "#0b5cad") {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const data = await response.arrayBuffer();
  const decoder = new OfflineAudioContext(1, 1, 44100);
  const buffer = await decoder.decodeAudioData(data);
  const width = (canvas.width = Math.max(200, Math.round(canvas.clientWidth || 800)));
  const height = (canvas.height = 64);
  const g = canvas.getContext("2d");
  g.clearRect(0, 0, width, height);
  g.fillStyle = color;
  for (const [x, [min, max]] of peaks(buffer.getChannelData(0), width).entries()) {
    const top = ((1 - max) / 2) * height;
    g.fillRect(x, top, 1, Math.max(1, ((max - min) / 2) * height));
  }
  return buffer.duration;
}
