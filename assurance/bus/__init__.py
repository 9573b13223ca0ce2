"""Collectors split by a NATS JetStream bus: inlets receive and publish, outlets decode and write.

``envelope`` packs received datagrams (payload, exporter, port, receive time) into bus messages;
``config`` names the stream, consumer and key-value buckets and connects; ``inlet`` is the
``DatagramQueue`` that publishes to the stream; ``templates`` keeps flow templates in a
key-value bucket; ``commits`` makes redelivered messages land in the lake exactly once;
``outlet`` consumes, decodes with the embedded collector's code and writes the lake. Nothing
here parses wire formats itself: decoding belongs to ``collectors``.
"""
