{
  "targets": [
    {
      "target_name": "sockets",
      "sources": ["native/sockets.c", "native/stream-exchange.c", "native/unix-datagram.c"],
      "cflags_c": ["-std=gnu11", "-Wall", "-Wextra"]
    }
  ]
}
