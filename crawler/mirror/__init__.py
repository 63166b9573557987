"""The offline mirror of the network: generator, truth, and loopback server."""
