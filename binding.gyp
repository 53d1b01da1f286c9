{
  "targets": [
    {
      "target_name": "sockets",
      "sources": ["native/sockets.c"],
      "cflags_c": ["-std=gnu11", "-Wall", "-Wextra"]
    }
  ]
}
