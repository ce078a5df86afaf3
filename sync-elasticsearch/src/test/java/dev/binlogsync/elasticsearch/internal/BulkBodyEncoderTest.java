package dev.binlogsync.elasticsearch.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.VersionType;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BulkBodyEncoderTest {

    private final BulkBodyEncoder encoder = new BulkBodyEncoder();

    private String encode(DocumentAction... actions) throws IOException {
        ByteBuf buf = new ByteBuf(16);
        encoder.encode(List.of(actions), buf);
        return new String(buf.array(), 0, buf.size(), StandardCharsets.UTF_8);
    }

    private static Map<String, Object> doc(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void writesIndexUpsertAndDeleteAsNdjsonEndingWithNewline() throws IOException {
        String body = encode(
                DocumentAction.index("orders", "1", doc("id", 1, "name", "a")),
                DocumentAction.upsert("orders", "2", doc("name", "b")),
                DocumentAction.delete("orders", "3"));
        assertEquals("{\"index\":{\"_index\":\"orders\",\"_id\":\"1\"}}\n"
                + "{\"id\":1,\"name\":\"a\"}\n"
                + "{\"update\":{\"_index\":\"orders\",\"_id\":\"2\"}}\n"
                + "{\"doc\":{\"name\":\"b\"},\"doc_as_upsert\":true}\n"
                + "{\"delete\":{\"_index\":\"orders\",\"_id\":\"3\"}}\n", body);
        assertFalse(body.contains("_type"));
    }

    @Test
    void writesRoutingAndExternalVersions() throws IOException {
        String body = encode(
                DocumentAction.index("i", "1", doc("a", 1)).withRouting("r1").withVersion(7, VersionType.EXTERNAL),
                DocumentAction.delete("i", "2").withVersion(9, VersionType.EXTERNAL_GTE));
        assertEquals("{\"index\":{\"_index\":\"i\",\"_id\":\"1\",\"routing\":\"r1\",\"version\":7,\"version_type\":\"external\"}}\n"
                + "{\"a\":1}\n"
                + "{\"delete\":{\"_index\":\"i\",\"_id\":\"2\",\"version\":9,\"version_type\":\"external_gte\"}}\n", body);
    }

    @Test
    void writesEveryRowValueTypeAndEscapesStrings() throws IOException {
        Map<String, Object> d = doc(
                "s", "quote \" backslash \\ newline \n unicode é",
                "l", Long.MAX_VALUE,
                "big", new BigInteger("18446744073709551615"),
                "dec", new BigDecimal("12345.670"),
                "dbl", 1.5d,
                "f", 2.5f,
                "b", true,
                "n", null,
                "json", doc("k", Arrays.asList(1, "x", null)),
                "bin", new byte[] {1, 2, 3});
        assertEquals("{\"index\":{\"_index\":\"i\",\"_id\":\"\\\"odd\\\" id\"}}\n"
                + "{\"s\":\"quote \\\" backslash \\\\ newline \\n unicode é\",\"l\":9223372036854775807,"
                + "\"big\":18446744073709551615,\"dec\":12345.670,\"dbl\":1.5,\"f\":2.5,\"b\":true,\"n\":null,"
                + "\"json\":{\"k\":[1,\"x\",null]},\"bin\":\"AQID\"}\n",
                encode(DocumentAction.index("i", "\"odd\" id", d)));
    }

    @Test
    void appendsToAReusedBufferAfterReset() throws IOException {
        ByteBuf buf = new ByteBuf(8);
        encoder.encode(List.of(DocumentAction.delete("i", "1")), buf);
        buf.reset();
        encoder.encode(List.of(DocumentAction.delete("i", "2")), buf);
        assertEquals("{\"delete\":{\"_index\":\"i\",\"_id\":\"2\"}}\n",
                new String(buf.array(), 0, buf.size(), StandardCharsets.UTF_8));
    }
}
