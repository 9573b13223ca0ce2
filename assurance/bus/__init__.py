"""Collectors split by a NATS JetStream bus: inlets receive and publish, outlets decode and write.

``envelope`` packs received datagrams or lines (payload, exporter, port or transport, receive
time) into bus messages; ``config`` names the stream, consumer and key-value buckets and
connects; ``inlet`` is the ``DatagramQueue`` that publishes to the stream; ``outlet`` is the
chunked consume → decode → publish → acknowledge loop, ``commits`` what makes redelivered
messages land in the lake exactly once; ``flow_outlet`` decodes with the embedded flow
collector, its templates in a key-value bucket (``templates``) that every outlet follows
(``shared``); ``syslog_bus`` holds the syslog inlet's publishing parser and the syslog outlet.
Nothing here parses wire formats itself: decoding belongs to ``collectors``.
"""
