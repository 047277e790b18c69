package dev.ale.monitor.detect;

import dev.ale.core.net.AddressRanges;
import dev.ale.core.net.AddressSpellings;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Cloud instance metadata: the link-local and vendor addresses, their host names, and their API paths. */
final class MetadataRules {

    private static final Pattern ENDPOINT = Pattern.compile(
            "(?i)(?<![\\d.])169\\.254\\.169\\.254(?!\\d)"      // AWS, GCP, Azure, OCI, OpenStack
                    + "|(?<![\\d.])169\\.254\\.170\\.2(?![\\d])"  // ECS task credentials
                    + "|(?<![\\d.])100\\.100\\.100\\.200(?!\\d)"  // Alibaba Cloud
                    + "|(?<![\\d.])168\\.63\\.129\\.16(?!\\d)"    // Azure wire server
                    + "|fd00:ec2::254"                            // AWS over IPv6
                    + "|::ffff:(?:a9fe:a9fe|169\\.254\\.169\\.254)"   // the same, IPv4-mapped
                    + "|metadata\\.google\\.internal"
                    + "|metadata\\.tencentyun\\.com"
                    + "|instance-data\\.ec2\\.internal|://instance-data(?![\\w.-])"
                    + "|(?<![\\d.])192\\.0\\.0\\.192(?!\\d)"        // Oracle Cloud's older metadata address
                    + "|\\bECS_CONTAINER_METADATA_URI(?:_V4)?\\b|\\bAWS_CONTAINER_CREDENTIALS_(?:RELATIVE|FULL)_URI\\b"
                    + "|(?<![\\w-])(?:a9fea9fe|169-254-169-254)\\.(?:nip\\.io|sslip\\.io|xip\\.io|traefik\\.me)" // names that resolve to it
                    + "|(?<!\\d)2852039166(?!\\d)|0xa9fea9fe");   // 169.254.169.254 as one number
    private static final Pattern API_PATH = Pattern.compile(
            "(?i)/latest/(?:api/token|meta-data|user-data|dynamic/instance-identity)"
                    + "|/computeMetadata/|/metadata/(?:instance|identity)|/v2/credentials/"
                    + "|metadata-flavor:\\s*google|x-aws-ec2-metadata-token");

    /** Where a command's words split; a host sits between these. */
    private static final Pattern WORD_BREAK = Pattern.compile("[\\s'\"`(),;=<>|&{}]+");

    private MetadataRules() {
    }

    static void inspect(Invocation inv, Scope scope) {
        for (String text : inv.texts()) {
            Matcher m = ENDPOINT.matcher(text);
            if (m.find()) {
                scope.report(Rule.METADATA_ENDPOINT, m.group(), inv);
            } else {
                spelledEndpoint(text).ifPresent(word -> scope.report(Rule.METADATA_ENDPOINT, word, inv));
            }
            Matcher p = API_PATH.matcher(text);
            if (p.find()) scope.report(Rule.METADATA_API_PATH, p.group(), inv);
        }
    }

    /**
     * A word whose host is a metadata address in another spelling ({@code 0251.0376.0251.0376},
     * {@code 169.254.43518}, {@code 0xa9.0xfe.0xa9.0xfe}, {@code [::ffff:169.254.169.254]},
     * percent-encoded): read by the normaliser the gateway and the network rules use.
     */
    private static Optional<String> spelledEndpoint(String text) {
        if (text.length() > 64 * 1024) return Optional.empty();
        for (String word : WORD_BREAK.split(text)) {
            if (word.isEmpty() || word.length() > 300) continue;
            String host = word;
            int scheme = host.indexOf("://");
            if (scheme >= 0) host = host.substring(scheme + 3);
            int at = host.lastIndexOf('@');
            if (at >= 0) host = host.substring(at + 1);
            for (char stop : new char[] {'/', '?', '#'}) {
                int i = host.indexOf(stop);
                if (i >= 0) host = host.substring(0, i);
            }
            if (host.startsWith("[")) {
                int close = host.indexOf(']');
                if (close > 0) host = host.substring(0, close + 1);
            } else if (host.indexOf(':') == host.lastIndexOf(':') && host.indexOf(':') > 0) {
                host = host.substring(0, host.indexOf(':')); // host:port
            }
            if (AddressSpellings.classify(host).filter(k -> k == AddressRanges.Kind.METADATA).isPresent()) return Optional.of(word);
        }
        return Optional.empty();
    }
}
