package dev.ale.server;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * A node's listeners under mutual TLS: the API on {@code host:port} over TLS 1.3, taken only from a
 * client whose certificate the cluster CA signed for {@code clientAuth}; and, since a sandbox's
 * gateway speaks plain HTTP to its model proxy, a plain connector on loopback that answers the
 * model-proxy paths and nothing else.
 */
final class TlsConnectors {

    private static final String MODEL_PROXY = "ale-model-proxy";

    private TlsConnectors() {
    }

    static void add(JavalinConfig c, String host, int port, ClusterTls tls) {
        c.jetty.addConnector((server, http) -> {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setSslContext(tls.context());
            ssl.setNeedClientAuth(true); // no certificate, no handshake: the refusal happens before any byte of HTTP
            ssl.setIncludeProtocols(ClusterTls.PROTOCOL);
            HttpConfiguration https = new HttpConfiguration(http);
            // the front dials a node by its pod IP and names ale-node in SNI: Jetty's check that the Host header
            // matches the SNI name would refuse every call, and a node has one certificate, so there is no host to confuse
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            secure.setSniHostCheck(false);
            https.getCustomizers().removeIf(SecureRequestCustomizer.class::isInstance);
            https.addCustomizer(secure);
            ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()),
                    new HttpConnectionFactory(https));
            connector.setHost(host);
            connector.setPort(port);
            return connector; // the first connector: Javalin's port() is this one's
        });
        c.jetty.addConnector((server, http) -> {
            ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
            connector.setName(MODEL_PROXY);
            connector.setHost("127.0.0.1");
            connector.setPort(0);
            return connector;
        });
    }

    /** The loopback connector's port, once started; the gateway sends the sandboxes' model calls there. */
    static int modelProxyPort(Javalin app) {
        for (Connector connector : app.jettyServer().server().getConnectors()) {
            if (connector instanceof ServerConnector s && MODEL_PROXY.equals(s.getName())) return s.getLocalPort();
        }
        throw new IllegalStateException("no model-proxy connector");
    }

    /** Refuses on the loopback connector every path but the model proxy's: the node API is served over TLS only. */
    static void guard(Javalin app, AtomicInteger port) {
        app.before(ctx -> {
            if (ctx.req().getLocalPort() == port.get() && !Auth.MODEL_PROXY.contains(ctx.path())) refuse(ctx);
        });
    }

    private static void refuse(Context ctx) {
        throw new ApiError(404, "not_found", "this port serves the sandboxes' model proxy only; the node API is on its TLS port");
    }
}
