"""An image's size read from its header, for the rich menu image LINE requires to match the menu."""

from __future__ import annotations

import struct


def image_size(data: bytes, content_type: str) -> tuple[int, int] | None:
    """(width, height) read from the image's header, or None if it is not a PNG/JPEG."""
    return _png_size(data) if content_type == "image/png" else _jpeg_size(data)


def _png_size(data: bytes) -> tuple[int, int] | None:
    # The signature, then the IHDR chunk: length, "IHDR", width, height (big-endian).
    if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    # Walk the segments after SOI up to a start-of-frame marker, which holds height then width.
    if data[:2] != b"\xff\xd8":
        return None
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            position += 2
            continue
        length = struct.unpack(">H", data[position + 2:position + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if position + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[position + 5:position + 9])
            return width, height
        position += 2 + length
    return None
