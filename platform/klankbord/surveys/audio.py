"""Turn an uploaded or recorded sound file into a small spoken clip (pure Python plus ffmpeg).

One format for every phone: Opus in WebM, mono, about 20 kbit/s (2.5 KB a second; a 10-second
question is 25 KB). Android Chrome and Firefox play it, and so does Safari from iOS 17 (Apple added
Opus in WebM in Safari 17; Ogg Opus only arrived in 18.4, and unreliably). Phones older than that
keep the read-aloud button and the written text, so no AAC/MP3 copy is stored: it would double
the storage and the work for very few phones.

ffmpeg runs without a shell, on a temporary file, with a time limit, reading only the local file
(``-protocol_whitelist file``) and only with the demuxers of ordinary sound files
(``-format_whitelist``), so a playlist or concat file disguised as a recording cannot make it
open other files or the network. Metadata (a recorder's name, a phone's model) is dropped.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: The stored format.
MIME = "audio/webm"
EXTENSION = "webm"
#: The longest clip, in seconds: a question read aloud, not a speech.
MAX_SECONDS = 60
#: The largest upload (a minute of stereo WAV at 44.1 kHz is 10.6 MB).
MAX_UPLOAD_BYTES = 12 * 1024 * 1024
#: Seconds ffmpeg may take to convert one file before it is stopped (a minute of speech takes
#: about one); with the two probes it stays inside gunicorn's 30-second worker timeout.
TIMEOUT_SECONDS = 20
#: Seconds ffprobe may take to read a file's streams.
PROBE_TIMEOUT_SECONDS = 4
#: Opus bit rate for speech.
BITRATE = "20k"
#: Demuxers of ordinary sound files: WAV, MP3, AAC/M4A/MP4/3GP (phones' voice memos), Ogg,
#: WebM/Matroska (browsers' recorders), FLAC, AMR, CAF (iPhone) and AIFF.
FORMATS = "wav,mp3,aac,mov,mp4,m4a,3gp,ogg,matroska,webm,flac,amr,caf,aiff"


class AudioError(Exception):
    """An upload that cannot become a clip; ``code`` names the reason for the message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Clip:
    """A converted clip: the bytes to store and what the page needs to know about them."""

    data: bytes
    mime: str
    duration_ms: int
    sha256: str


def available() -> bool:
    """Whether ffmpeg and ffprobe are installed (Debian package ``ffmpeg``)."""
    return shutil.which("ffmpeg") is not None and shutil.which("ffprobe") is not None


def _run(args: list[str], timeout: float = TIMEOUT_SECONDS) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(  # noqa: S603 - fixed argument list, no shell
            args,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise AudioError("timeout") from error
    except OSError as error:
        raise AudioError("unavailable") from error


def _probe(path: Path) -> dict:
    """ffprobe's view of a file (streams and container), or AudioError('not_audio')."""
    # fmt: off
    result = _run([
        "ffprobe", "-v", "error", "-protocol_whitelist", "file", "-format_whitelist", FORMATS,
        "-show_entries", "stream=codec_type:format=duration", "-of", "json", str(path),
    ], PROBE_TIMEOUT_SECONDS)
    # fmt: on
    if result.returncode != 0:
        raise AudioError("not_audio")
    try:
        info = json.loads(result.stdout or b"{}")
    except ValueError as error:
        raise AudioError("not_audio") from error
    if not any(s.get("codec_type") == "audio" for s in info.get("streams", [])):
        raise AudioError("not_audio")
    return info


def _seconds(info: dict) -> float | None:
    try:
        return float(info.get("format", {}).get("duration"))
    except (TypeError, ValueError):
        return None  # a browser's live recording often has no duration in its header


def convert(data: bytes, *, max_seconds: int | None = None) -> Clip:
    """Convert any common sound file to a mono Opus/WebM clip; raise AudioError when it cannot.

    Codes: ``empty``, ``too_big``, ``not_audio``, ``too_long``, ``timeout``, ``unavailable``
    (no ffmpeg on this server) and ``failed``.
    """
    max_seconds = max_seconds or MAX_SECONDS
    if not data:
        raise AudioError("empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise AudioError("too_big")
    if not available():
        raise AudioError("unavailable")
    with tempfile.TemporaryDirectory(prefix="klankbord-audio-") as folder:
        source = Path(folder) / "upload"
        target = Path(folder) / f"clip.{EXTENSION}"
        source.write_bytes(data)
        seconds = _seconds(_probe(source))
        if seconds is not None and seconds > max_seconds + 0.5:
            raise AudioError("too_long")
        # fmt: off
        result = _run([
            "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-threads", "1",
            "-protocol_whitelist", "file", "-format_whitelist", FORMATS, "-i", str(source),
            "-map", "0:a:0", "-vn", "-sn", "-dn", "-map_metadata", "-1",
            # One second more than allowed: a longer recording is noticed below, not cut off.
            "-t", str(max_seconds + 1),
            "-af", "highpass=f=70,loudnorm=I=-18:TP=-2:LRA=11", "-ar", "48000", "-ac", "1",
            "-c:a", "libopus", "-b:a", BITRATE, "-application", "voip",
            "-fflags", "+bitexact", "-f", "webm", str(target),
        ])
        # fmt: on
        if result.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
            raise AudioError("failed")
        out_seconds = _seconds(_probe(target))
        if out_seconds is None or out_seconds <= 0.05:
            raise AudioError("failed")
        if out_seconds > max_seconds + 0.5:
            raise AudioError("too_long")
        clip = target.read_bytes()
    return Clip(
        data=clip,
        mime=MIME,
        duration_ms=round(out_seconds * 1000),
        sha256=hashlib.sha256(clip).hexdigest(),
    )
