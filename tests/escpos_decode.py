"""Our own ESC/POS reader for tests (no maintained library turns bytes back into text).

decode(data) walks the bytes, skips each command by its known length, decodes text with
the code page the last `ESC t n` selected, and collects raster images, native QR codes
and cuts. An unknown command raises UnknownCommand: a test must notice new output.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image, ImageOps

# ESC t n -> Python codec (Epson's numbering; 53 is CP858 in the POS-5890 profile).
CODEPAGES: dict[int, str] = {
    0: "cp437", 2: "cp850", 3: "cp860", 4: "cp863", 5: "cp865", 16: "cp1252", 17: "cp866",
    18: "cp852", 19: "cp858", 53: "cp858",
}

ESC, GS, FS, DLE = 0x1B, 0x1D, 0x1C, 0x10

# ESC x: total length of the command, including ESC and x.
_ESC_FIXED = {
    ord("@"): 2, ord("!"): 3, ord("E"): 3, ord("G"): 3, ord("-"): 3, ord("a"): 3,
    ord("d"): 3, ord("J"): 3, ord("M"): 3, ord("2"): 2, ord("3"): 3, ord("+"): 3,
    ord("A"): 3, ord("{"): 3, ord("t"): 3, ord("r"): 3, ord("="): 3, ord("V"): 3,
    ord("p"): 5, ord("c"): 4, ord("B"): 4,
}
_GS_FIXED = {
    ord("!"): 3, ord("B"): 3, ord("b"): 3, ord("|"): 3, ord("H"): 3, ord("h"): 3,
    ord("w"): 3, ord("f"): 3, ord("L"): 4, ord("W"): 4, ord("a"): 3, ord("r"): 3,
}


class UnknownCommand(ValueError):
    pass


@dataclass
class DecodedJob:
    text: str
    lines: list[str]
    images: list[Image.Image] = field(default_factory=list)
    native_qr: list[str] = field(default_factory=list)
    cuts: int = 0
    codepages: list[int] = field(default_factory=list)

    def qr_payloads(self) -> list[str]:
        """Every QR on the ticket: native ones, then those read from the images."""
        found = list(self.native_qr)
        for image in self.images:
            found.extend(read_qr(image))
        return found


def _raster(width_bytes: int, height: int, data: bytes) -> Image.Image:
    """A GS v 0 raster (bit 1 = black dot) as a PIL image, black on white."""
    img = Image.frombytes("1", (width_bytes * 8, height), data)  # bit 1 -> white in PIL
    return ImageOps.invert(img.convert("L"))


def decode(data: bytes, codepages: dict[int, str] | None = None) -> DecodedJob:
    pages = CODEPAGES | (codepages or {})
    codec = "cp437"  # the printer's power-on page
    text: list[str] = []
    job = DecodedJob(text="", lines=[])
    qr_store = b""
    graphics: Image.Image | None = None
    i, n = 0, len(data)

    def need(k: int) -> None:
        if i + k > n:
            raise UnknownCommand(f"command at {i} truncated: {data[i:i + k]!r}")

    while i < n:
        b = data[i]
        if b == ESC:
            need(2)
            cmd = data[i + 1]
            if cmd == ord("t"):
                need(3)
                page = data[i + 2]
                if page not in pages:
                    raise UnknownCommand(f"ESC t {page}: code page unknown to the decoder")
                codec = pages[page]
                job.codepages.append(page)
                i += 3
            elif cmd == ord("*"):  # ESC * m nL nH d1..dk (column image)
                need(5)
                m, count = data[i + 2], data[i + 3] + 256 * data[i + 4]
                i += 5 + count * (3 if m in (32, 33) else 1)
            elif cmd in _ESC_FIXED:
                need(_ESC_FIXED[cmd])
                if cmd == ord("@"):
                    codec = "cp437"
                i += _ESC_FIXED[cmd]
            else:
                raise UnknownCommand(f"ESC {cmd:#04x} at byte {i}")
        elif b == GS:
            need(2)
            cmd = data[i + 1]
            if cmd == ord("V"):  # GS V m, or GS V m n for m 65/66
                need(3)
                i += 4 if data[i + 2] in (65, 66, 97, 98, 103, 104) else 3
                job.cuts += 1
            elif cmd == ord("v"):  # GS v 0 m xL xH yL yH data
                need(8)
                if data[i + 2] != ord("0"):
                    raise UnknownCommand(f"GS v {data[i + 2]:#04x} at byte {i}")
                xb = data[i + 4] + 256 * data[i + 5]
                yd = data[i + 6] + 256 * data[i + 7]
                need(8 + xb * yd)
                job.images.append(_raster(xb, yd, data[i + 8:i + 8 + xb * yd]))
                i += 8 + xb * yd
            elif cmd in (ord("("),):  # GS ( k / GS ( L pL pH ...
                need(5)
                kind = data[i + 2]
                size = data[i + 3] + 256 * data[i + 4]
                need(5 + size)
                body = data[i + 5:i + 5 + size]
                if kind == ord("k"):
                    cn, fn = body[0], body[1]
                    if cn == 49 and fn == 80:  # store QR data (after m)
                        qr_store = body[3:]
                    elif cn == 49 and fn == 81:  # print the stored QR
                        job.native_qr.append(qr_store.decode("utf-8"))
                elif kind == ord("L"):
                    fn = body[1]
                    if fn == 112:  # store raster graphics: m fn a bx by c xL xH yL yH d
                        w = body[6] + 256 * body[7]
                        h = body[8] + 256 * body[9]
                        graphics = _raster((w + 7) // 8, h, body[10:])
                    elif fn == 50 and graphics is not None:
                        job.images.append(graphics)
                        graphics = None
                else:
                    raise UnknownCommand(f"GS ( {kind:#04x} at byte {i}")
                i += 5 + size
            elif cmd in _GS_FIXED:
                need(_GS_FIXED[cmd])
                i += _GS_FIXED[cmd]
            else:
                raise UnknownCommand(f"GS {cmd:#04x} at byte {i}")
        elif b == DLE:
            need(3)
            if data[i + 1] not in (0x04, 0x05, 0x14):
                raise UnknownCommand(f"DLE {data[i + 1]:#04x} at byte {i}")
            i += 5 if data[i + 1] == 0x14 else 3
        elif b == FS:
            need(2)
            if data[i + 1] in (ord("."), ord("&")):  # Kanji mode off/on
                i += 2
            else:
                raise UnknownCommand(f"FS {data[i + 1]:#04x} at byte {i}")
        elif b in (0x0A, 0x0D, 0x09):
            if b == 0x0A:
                text.append("\n")
            elif b == 0x09:
                text.append("\t")
            i += 1
        elif b < 0x20 or b == 0x7F:
            raise UnknownCommand(f"control byte {b:#04x} at byte {i}")
        else:
            j = i
            while j < n and data[j] >= 0x20 and data[j] != 0x7F:
                j += 1
            text.append(data[i:j].decode(codec))
            i = j
    job.text = "".join(text)
    job.lines = job.text.split("\n")
    return job


def read_qr(image: Image.Image) -> list[str]:
    """The QR codes zxing-cpp finds in an image (with a white margin added)."""
    import zxingcpp

    framed = ImageOps.expand(image.convert("L"), border=16, fill=255)
    return [r.text for r in zxingcpp.read_barcodes(framed)]
