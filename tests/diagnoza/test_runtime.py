"""The speed measures of `diagnoza.runtime`: one BLAS thread per process unless the user chose otherwise,
the garbage collector spared the imports, and the warm-up a kernel runs."""

from __future__ import annotations

import ast
import gc
import importlib.util
import os

from diagnoza import runtime


def test_one_blas_thread_where_the_user_set_none(monkeypatch):
    for variable in runtime.BLAS_VARIABLES:
        monkeypatch.setenv(variable, "set before")  # so that the test's end restores what the process had
        monkeypatch.delenv(variable)
    runtime.limit_threads()
    assert {variable: os.environ[variable] for variable in runtime.BLAS_VARIABLES} == {
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


def test_a_thread_count_the_user_set_is_kept(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "set before")
    monkeypatch.delenv("OPENBLAS_NUM_THREADS")
    runtime.limit_threads()
    assert os.environ["OMP_NUM_THREADS"] == "4"
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1"


def test_freezing_moves_the_objects_alive_now_out_of_the_collectors_scans():
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    kept = [object() for _ in range(1000)]
    try:
        runtime.freeze_imports()
        # Every tracked object alive at the call, those above among them, is now in the permanent generation.
        assert gc.get_freeze_count() >= len(kept)
    finally:
        gc.unfreeze()  # this test process goes on to other tests


def test_the_kernel_warm_up_imports_modules_that_exist_and_then_freezes():
    tree = ast.parse(runtime.KERNEL_WARM_UP)
    imported = [alias.name for node in tree.body if isinstance(node, ast.Import) for alias in node.names]
    assert "analysis.report" in imported and "analysis.charts" in imported
    assert [name for name in imported if importlib.util.find_spec(name) is None] == []
    last = tree.body[-1]
    assert isinstance(last, ast.Expr) and ast.unparse(last) == "freeze_imports()"  # after the imports, not before
