"""`yteso claims generate`: synthetic QĐ 130 envelopes (registered on the claims CLI app)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from yteso.core.cli_support import console
from yteso.synth.episodes import generate_episodes, write_episodes


def generate(
    out: Annotated[Path, typer.Option("--out", help="Thư mục ghi tệp XML")],
    episodes: Annotated[int, typer.Option("--episodes", min=1, help="Số hồ sơ")] = 100,
    seed: Annotated[int, typer.Option("--seed", help="Hạt giống ngẫu nhiên")] = 1,
    faults: Annotated[
        bool, typer.Option("--faults", help="Cài lỗi đã biết (ghi trong faults.json)")
    ] = False,
) -> None:
    """Write synthetic episodes, one GIAMDINHHS envelope per file."""
    written = write_episodes(generate_episodes(episodes, seed, faults), out)
    console.print(f"Đã ghi {written} hồ sơ vào {out}")
