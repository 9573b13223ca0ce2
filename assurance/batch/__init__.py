"""Batch jobs people schedule: ``run`` (SLEs, analysis and alerts for a window) and ``report``
(a self-contained HTML report of one site).

Owns composing existing engines into jobs and rendering their answers. Must not compute SLEs,
detect anomalies or decide alerts itself, and reads the lake for reports only through
``assurance.query``.
"""

from assurance.batch.report import ReportData, build_report, collect_report
from assurance.batch.run import StepResult, run_window

__all__ = ["ReportData", "StepResult", "build_report", "collect_report", "run_window"]
