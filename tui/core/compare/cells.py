"""Terminal cell widths: moved to :mod:`tui.core.cells` (every CLI table uses them); kept here
so the compare modules' imports stay as they were."""

from tui.core.cells import cell_width, char_cells, fit_cells, pad_cells

__all__ = ["cell_width", "char_cells", "fit_cells", "pad_cells"]
