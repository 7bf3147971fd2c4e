"""How clients reach the server: streamable HTTP and its safety (stdio needs nothing beyond the SDK)."""
