package dev.ale.monitor.detect;

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
                    + "|instance-data\\.ec2\\.internal"
                    + "|(?<!\\d)2852039166(?!\\d)|0xa9fea9fe");   // 169.254.169.254 as one number
    private static final Pattern API_PATH = Pattern.compile(
            "(?i)/latest/(?:api/token|meta-data|user-data|dynamic/instance-identity)"
                    + "|/computeMetadata/|/metadata/(?:instance|identity)|/v2/credentials/"
                    + "|metadata-flavor:\\s*google|x-aws-ec2-metadata-token");

    private MetadataRules() {
    }

    static void inspect(Invocation inv, Scope scope) {
        for (String text : inv.texts()) {
            Matcher m = ENDPOINT.matcher(text);
            if (m.find()) scope.report(Rule.METADATA_ENDPOINT, m.group(), inv);
            Matcher p = API_PATH.matcher(text);
            if (p.find()) scope.report(Rule.METADATA_API_PATH, p.group(), inv);
        }
    }
}
