"""Knowledge files read straight from disk, as the tests use them (the
assistant reads them back from the database instead)."""

from __future__ import annotations

from pathlib import Path
from typing import Collection, Optional, Union

from kefu.knowledge.size_charts import SizeChartBook, read_size_charts
from kefu.knowledge.sources import Problems, read_file_text


def load_size_charts(path: Union[str, Path], product_ids: Optional[Collection[str]] = None) -> SizeChartBook:
    problems = Problems(str(path))
    text = read_file_text(path, problems)
    return read_size_charts(text or "", str(path), product_ids, problems)
