// A small HTTP/1.1 test server on 127.0.0.1.
