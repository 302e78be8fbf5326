"""Contact sheets for annotating real footage by eye: every decoded frame, numbered, with its PTS time.

    python -m tools.truthsheets CLIP OUT_DIR                     8x4 sheets of whole frames
    python -m tools.truthsheets CLIP OUT_DIR --crop 250,90,140,60 --scale 4 --name eyes
                                                                 the same frames, a region zoomed

Frame numbers and times come from decoding (PyAV), never from the container's frame count or
rate: frame i is the i-th decoded frame, its time is its presentation timestamp minus the
first frame's. The annotator reads the sheets as pictures and writes tests/data/real/*.truth.yaml;
no detector runs here, so the truth cannot inherit a detector's mistakes.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def decoded_frames(path: Path):
    """(index, time_s, PIL image) for every decodable frame, times from PTS relative to the first frame."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        first = None
        index = 0
        for frame in container.decode(stream):
            if frame.pts is None:
                continue
            t = float(frame.pts * stream.time_base)
            first = t if first is None else first
            yield index, t - first, frame.to_image()
            index += 1


def write_sheets(path: Path, out_dir: Path, *, crop: tuple[int, int, int, int] | None, scale: float,
                 cols: int, rows: int, tile_width: int, name: str) -> list[Path]:
    """Write sheets of cols x rows tiles; returns the PNG paths."""
    from PIL import Image, ImageDraw

    out_dir.mkdir(parents=True, exist_ok=True)
    tiles: list[tuple[int, float, Image.Image]] = []
    for index, t, image in decoded_frames(path):
        if crop is not None:
            x, y, w, h = crop
            image = image.crop((x, y, x + w, y + h)).resize((round(w * scale), round(h * scale)), Image.LANCZOS)
        else:
            ratio = tile_width / image.width
            image = image.resize((tile_width, round(image.height * ratio)), Image.LANCZOS)
        tiles.append((index, t, image))
    per_sheet = cols * rows
    written = []
    for first in range(0, len(tiles), per_sheet):
        chunk = tiles[first:first + per_sheet]
        tw, th = chunk[0][2].size
        label_h = 16
        sheet = Image.new("RGB", (cols * tw, rows * (th + label_h)), "black")
        draw = ImageDraw.Draw(sheet)
        for k, (index, t, image) in enumerate(chunk):
            cx, cy = (k % cols) * tw, (k // cols) * (th + label_h)
            sheet.paste(image, (cx, cy + label_h))
            draw.text((cx + 3, cy + 2), f"#{index}  {t:.3f}s", fill="yellow")
        target = out_dir / f"{path.stem}-{name}-{first:04d}.png"
        sheet.save(target)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clip", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--crop", help="x,y,w,h in source pixels to zoom on (eyes, mouth)")
    parser.add_argument("--scale", type=float, default=3.0, help="zoom factor for --crop")
    parser.add_argument("--cols", type=int, default=8)
    parser.add_argument("--rows", type=int, default=4)
    parser.add_argument("--tile-width", type=int, default=240, help="tile width for whole frames, px")
    parser.add_argument("--name", default="frames", help="word in the sheet file names")
    args = parser.parse_args(argv)
    crop = tuple(int(v) for v in args.crop.split(",")) if args.crop else None
    for sheet in write_sheets(args.clip, args.out_dir, crop=crop, scale=args.scale, cols=args.cols,
                              rows=args.rows, tile_width=args.tile_width, name=args.name):
        print(sheet)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
