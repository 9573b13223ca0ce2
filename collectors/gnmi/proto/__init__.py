"""Generated protobuf modules of the gNMI protos; sources are the .proto files beside them."""
