"""Bytes of a text export → str, whatever the spreadsheet program chose to write.

Order: a BOM says the encoding (but Excel on Windows writes a UTF-8 BOM in front of cp1252
text, so that case falls back too); UTF-16 without a BOM is spotted by its zero bytes; then
strict UTF-8; then cp1252, the Western European Windows code page ("José", "Müller"), and
latin-1, which decodes any byte, for the few bytes cp1252 leaves undefined.
"""

from __future__ import annotations

import unicodedata

from campaign.errors import InputError

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
#: Share of control characters above which decoded text is garbage, not a list.
_MAX_CONTROL_SHARE = 0.01


def decode_text(name: str, data: bytes) -> tuple[str, str]:
    """The text of `data` and the encoding used."""
    text, encoding = _decode(name, data)
    _check_readable(name, text)
    return text, encoding


def _decode(name: str, data: bytes) -> tuple[str, str]:
    if data.startswith(_UTF32_BOMS):
        return _strict(name, data, "utf-32"), "utf-32"
    if data.startswith(_UTF16_BOMS):
        return _strict(name, data, "utf-16"), "utf-16"
    if data.startswith(_UTF8_BOM):
        body = data[len(_UTF8_BOM) :]
        try:
            return body.decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            return _western(body)
    utf16 = utf16_without_bom(data)
    if utf16:
        return _strict(name, data, utf16), utf16
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return _western(data)


def _western(data: bytes) -> tuple[str, str]:
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _strict(name: str, data: bytes, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name} is not valid {encoding.upper()} text: save it again as CSV UTF-8"
        ) from exc
    return text.removeprefix("\ufeff")


def utf16_without_bom(data: bytes) -> str | None:
    sample = data[:2000]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.8 * len(odd):
        return "utf-16-le"
    if even.count(0) > 0.8 * len(even):
        return "utf-16-be"
    return None


def _check_readable(name: str, text: str) -> None:
    sample = text[:65536]
    if not sample:
        return
    garbage = sum(
        1
        for char in sample
        if char == "\ufffd" or (char not in "\t\r\n" and unicodedata.category(char) == "Cc")
    )
    if garbage > _MAX_CONTROL_SHARE * len(sample):
        raise InputError(
            f"cannot read the text of {name} (unknown encoding or not a text file): "
            "save it again as CSV UTF-8"
        )
