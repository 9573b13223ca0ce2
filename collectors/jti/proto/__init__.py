"""Generated protobuf modules of the JTI protos; sources are the .proto files beside them."""
