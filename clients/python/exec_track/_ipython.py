"""The IPython/Jupyter cell magic ``%%exec_track [name]``."""

from typing import Any

from ._execution import Execution


def register(ipython: Any) -> None:
    """Registers ``%%exec_track`` on an IPython shell."""

    def exec_track(line: str, cell: str) -> None:
        """Tracks this cell as one execution: ``%%exec_track [name]``. The cell runs as usual; an
        exception in it is recorded (``Execution crushed``) and shown by IPython as usual."""
        name = line.strip() or None
        count = getattr(ipython, "execution_count", None)
        ex = Execution(name, description=f"cell {count}" if count is not None else "cell", command=["ipython"], capture="sys")
        ex.begin()
        error = None
        try:
            result = ipython.run_cell(cell)
            error = result.error_before_exec or result.error_in_exec
        except BaseException as e:  # run_cell catches the cell's own errors; this is IPython's
            error = e
            raise
        finally:
            ex.finish(error)

    ipython.register_magic_function(exec_track, magic_kind="cell", magic_name="exec_track")
