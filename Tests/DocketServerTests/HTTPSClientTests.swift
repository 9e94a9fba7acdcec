import Foundation
import TestSupport
import Testing

/// The CLI as an HTTPS client (`DOCKET_SERVER=https://…`): through a TLS-terminating proxy (a small Python HTTPS
/// server with a self-signed certificate, forwarding to `docket serve`'s loopback HTTP), with the certificate checked.
@Suite(.serialized) struct HTTPSClientTests {
    static let proxy = """
        import http.client, http.server, ssl, sys
        backend_host, backend_port, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
        class Forward(http.server.BaseHTTPRequestHandler):
            def forward(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                connection = http.client.HTTPConnection(backend_host, backend_port, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                connection.request(self.command, self.path, body=body, headers=headers)
                reply = connection.getresponse()
                data = reply.read()
                self.send_response(reply.status)
                for k, v in reply.getheaders():
                    if k.lower() not in ("content-length", "connection", "transfer-encoding"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            do_GET = do_POST = forward
            def log_message(self, *args): pass
        server = http.server.HTTPServer(("127.0.0.1", 0), Forward)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """

    @Test func theCLIGoesThroughATLSProxyAndChecksItsCertificate() throws {
        let served = ServedStore()
        let tokens = try AuthenticationTests().setUp(served)
        let cert = served.folder.child("cert.pem"), key = served.folder.child("key.pem")
        _ = try ServedStore.run(
            "/usr/bin/openssl",
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
             "-keyout", key, "-out", cert])
        try served.start(environment: ["DOCKET_NOW": AuthenticationTests.later], socket: false)
        let backend = try #require(URL(string: served.address))
        let proxy = Process()
        proxy.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        proxy.arguments = ["-c", Self.proxy, "127.0.0.1", String(backend.port ?? 0), cert, key]
        let output = Pipe()
        proxy.standardOutput = output
        try proxy.run()
        defer {
            kill(proxy.processIdentifier, SIGKILL)  // the test process's children inherit SIGTERM blocked
            proxy.waitUntilExit()
        }
        let port = try ServerScope.firstLine(output.fileHandleForReading, within: 30).trimmingCharacters(in: .whitespacesAndNewlines)

        let client = ["DOCKET_SERVER": "https://localhost:\(port)", "DOCKET_TOKEN": tokens["bob"]!, "CURL_CA_BUNDLE": cert]
        let open = try DocketProcess.runEmbedded(["ticket", "open", "--client", "acme", "--subject", "Over TLS"], store: served.store, environment: client)
        #expect(open.status == 0, "\(open.stderr)")
        #expect(open.stdout == "T-1001\n")
        let show = try DocketProcess.runEmbedded(["ticket", "show", "T-1001", "--json"], store: served.store, environment: client)
        #expect(show.status == 0 && show.stdout.contains(#""subject" : "Over TLS""#), "\(show.stdout) \(show.stderr)")
        let refused = try DocketProcess.runEmbedded(["user", "add", "zed", "--name", "Z", "--email", "z@msp.example", "--role", "tech"], store: served.store, environment: client)
        #expect(refused.status == 5, "bob is a tech: \(refused.stderr)")

        // A certificate the client does not trust: refused before anything is sent.
        var untrusted = client
        untrusted["CURL_CA_BUNDLE"] = "/etc/ssl/certs/ca-certificates.crt"
        let before = try served.eventCount()
        let mistrusted = try DocketProcess.runEmbedded(["ticket", "open", "--client", "acme", "--subject", "MITM"], store: served.store, environment: untrusted)
        #expect(mistrusted.status == 66, "\(mistrusted.stderr)")
        #expect(mistrusted.stderr.contains("cannot reach the server at https://localhost:\(port)"), "\(mistrusted.stderr)")
        #expect(try served.eventCount() == before)
        #expect(served.stop() == 0)
    }
}
