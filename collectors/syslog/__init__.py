"""Syslog collector: SRX, EX and AP/controller events over UDP, TCP and TLS.

``model`` is the contract between receiving and parsing: listeners frame the byte streams into
``Line`` objects and queue them; ``SyslogParser.parse_batch`` turns a batch of lines into Arrow
tables (``syslog_events`` for every line, typed rows for ``sessions``, ``sla_metrics``,
``client_events``, ``security_events``, ``device_events``) and rejects.
"""
