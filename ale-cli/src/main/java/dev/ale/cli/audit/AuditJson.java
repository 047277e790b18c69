package dev.ale.cli.audit;

import dev.ale.cli.common.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.monitor.audit.AuditLog;
import dev.ale.monitor.audit.AuditRecord;
import java.util.List;

/** The JSON documents of the audit commands; a record inside one has the shape the export writes. */
final class AuditJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private AuditJson() {
    }

    /** {"records": [...]}, each record read back from the export's own line so that the two cannot drift apart. */
    static ObjectNode records(AuditLog log, List<AuditRecord> records) {
        ObjectNode root = Json.object();
        ArrayNode list = root.putArray("records");
        for (AuditRecord r : records) {
            try {
                list.add(MAPPER.readTree(log.jsonLine(r)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("the audit log wrote a line that is not JSON", e);
            }
        }
        return root;
    }
}
