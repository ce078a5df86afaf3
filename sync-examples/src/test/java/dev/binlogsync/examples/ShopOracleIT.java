package dev.binlogsync.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.testing.EmbeddedElasticsearch;
import dev.binlogsync.testing.EmbeddedMariaDb;
import java.util.List;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The oracle against documents written by hand (no pipeline): it accepts exactly the documents
 * its contract describes and reports each kind of difference, types included.
 */
class ShopOracleIT {

    private static EmbeddedMariaDb db;
    private static EmbeddedElasticsearch es;
    private static RestClient rest;

    /** The order document as the contract states it, with {@code %s} for express and shipping. */
    private static final String ORDER_1 = "{\"id\":1,\"customer\":\"ada\",\"status\":\"SHIPPED\",\"total\":12.50,\"items\":2,"
            + "\"express\":1,\"created_at\":\"2024-03-01T12:30:45.120\",\"updated_ms\":1709296245120,"
            + "\"shipping\":{\"order_id\":1,\"carrier\":\"DHL\",\"tracking\":\"T1\",\"shipped_at\":\"2024-03-02T00:00:00.000\","
            + "\"updated_ms\":1709337600000}}";
    private static final String ORDER_2 = "{\"id\":2,\"customer\":\"ken\",\"status\":\"NEW\",\"total\":0.10,\"items\":1,"
            + "\"express\":0,\"created_at\":\"2024-03-01T12:30:46.000\",\"updated_ms\":1709296246000}";
    /** The monthly documents: each order without shipping, cancelled ones included. */
    private static final String MONTH_1 = ORDER_1.substring(0, ORDER_1.indexOf(",\"shipping\"")) + "}";
    private static final String MONTH_3 = "{\"id\":3,\"customer\":\"linus\",\"status\":\"CANCELLED\",\"total\":5.00,\"items\":1,"
            + "\"express\":2,\"created_at\":\"2024-02-29T12:30:47.000\",\"updated_ms\":1709296247000}";
    private static final String ITEM_10 = "{\"id\":10,\"order_id\":1,\"sku\":\"SKU-1\",\"qty\":2,\"price\":6.25,\"updated_ms\":1709296245120}";
    private static final String ITEM_11 = "{\"id\":11,\"order_id\":2,\"sku\":\"SKU-2\",\"qty\":1,\"price\":0.10,\"updated_ms\":1709296246000}";

    @BeforeAll
    static void start() {
        db = EmbeddedMariaDb.start();
        es = EmbeddedElasticsearch.builder().nodeName("shop-oracle").build().start();
        rest = es.newClient();
        Shop.createSchema(db);
        db.execute("INSERT INTO shop.orders VALUES (1, 'ada', 'SHIPPED', 12.50, 2, 1, 'secret', '2024-03-01 12:30:45.120', 1709296245120),"
                        + " (2, 'ken', 'NEW', 0.10, 1, 0, NULL, '2024-03-01 12:30:46', 1709296246000),"
                        + " (3, 'linus', 'CANCELLED', 5.00, 1, 2, NULL, '2024-02-29 12:30:47', 1709296247000)",
                "INSERT INTO shop.order_shipping VALUES (1, 'DHL', 'T1', '2024-03-02 00:00:00', 1709337600000),"
                        + " (3, 'UPS', 'T3', '2024-03-02 00:00:00', 1709337600000), (4, 'UPS', 'T4', '2024-03-02 00:00:00', 1709337600000)",
                "INSERT INTO shop.order_item_1 VALUES (10, 1, 'SKU-1', 2, 6.25, 1709296245120)",
                "INSERT INTO shop.order_item_2 VALUES (11, 2, 'SKU-2', 1, 0.10, 1709296246000)");
    }

    @AfterAll
    static void stop() throws Exception {
        rest.close();
        es.close();
        db.close();
    }

    @BeforeEach
    void writeTheExpectedDocuments() throws Exception {
        rest.performRequest(new Request("DELETE", "/orders,orders_by_month-2024.02,orders_by_month-2024.03,order_items?ignore_unavailable=true"));
        for (String index : List.of("orders", "order_items", "orders_by_month-2024.02", "orders_by_month-2024.03")) {
            // no mapping: the tests write values of other types into the same fields
            Request create = new Request("PUT", "/" + index);
            create.setJsonEntity("{\"settings\":{\"number_of_shards\":" + (index.startsWith("orders_by_month") ? 3 : 1) + ",\"number_of_replicas\":0},\"mappings\":{\"dynamic\":false}}");
            rest.performRequest(create);
        }
        put("orders", "1", ORDER_1);
        put("orders", "2", ORDER_2);
        put("order_items", "10", ITEM_10);
        put("order_items", "11", ITEM_11);
        put("orders_by_month-2024.03", "1", MONTH_1, "ada");
        put("orders_by_month-2024.03", "2", ORDER_2, "ken");
        put("orders_by_month-2024.02", "3", MONTH_3, "linus");
    }

    @Test
    void acceptsTheDocumentsOfItsContractWithoutCancelledOrdersOrphanedShippingOrTheNote() throws Exception {
        ShopOracle.Result result = check();
        assertTrue(result.isClean(), result.toString());
        assertEquals(7, result.expected(), result.toString());
        assertEquals(7, result.actual(), result.toString());
    }

    @Test
    void acceptsAShippingClearedToNullWhenTheOrderHasNoShippingRow() throws Exception {
        put("orders", "2", ORDER_2.replace("}", ",\"shipping\":null}"));
        assertTrue(check().isClean());
    }

    @Test
    void reportsAShippingObjectWithoutAShippingRowAsStale() throws Exception {
        put("orders", "2", ORDER_2.replace("}", ",\"shipping\":{\"order_id\":2}}"));
        ShopOracle.Result result = check();
        assertEquals(1, result.staleCount(), result.toString());
        assertTrue(result.stale().get(0).startsWith("orders/2: field shipping not expected"), result.toString());
    }

    @Test
    void reportsADocumentInAnotherMonthsIndexAsMissingAndExtra() throws Exception {
        rest.performRequest(new Request("DELETE", "/orders_by_month-2024.02/_doc/3?routing=linus"));
        put("orders_by_month-2024.03", "3", MONTH_3, "linus");
        ShopOracle.Result result = check();
        assertEquals(1, result.missingCount(), result.toString());
        assertEquals(1, result.extraCount(), result.toString());
        assertTrue(result.missing().get(0).startsWith("orders_by_month-2024.02/3 expected "), result.toString());
        assertTrue(result.extra().get(0).startsWith("orders_by_month-2024.03/3 "), result.toString());
    }

    @Test
    void reportsAnotherRoutingAsStale() throws Exception {
        rest.performRequest(new Request("DELETE", "/orders_by_month-2024.03/_doc/2?routing=ken"));
        put("orders_by_month-2024.03", "2", ORDER_2, "grace");
        ShopOracle.Result result = check();
        assertEquals(1, result.staleCount(), result.toString());
        assertTrue(result.stale().get(0).startsWith("orders_by_month-2024.03/2: _routing expected ken but was grace"), result.toString());
    }

    @Test
    void expectsWhatEachFormatCanCarry() throws Exception {
        rest.performRequest(new Request("DELETE", "/orders,orders_by_month-2024.02,orders_by_month-2024.03?ignore_unavailable=true"));
        put("order_items", "10", ITEM_10.replace("\"price\":6.25", "\"price\":\"6.25\""));
        put("order_items", "11", ITEM_11.replace("\"price\":0.10", "\"price\":\"0.10\""));
        ShopOracle.Result result = check(ShopOracle.Representation.DEBEZIUM_WITHOUT_SCHEMAS);
        assertEquals(0, result.staleCount(), result.toString());
        // 2024-03-01T12:30:45.120 read as UTC
        assertTrue(result.missing().stream().anyMatch(m -> m.startsWith("orders/1 expected ") && m.contains("\"created_at\":1709296245120")
                && m.contains("\"total\":\"12.50\"")), result.toString());
        put("order_items", "11", ITEM_11.replace("\"price\":0.10", "\"price\":\"0.1\""));
        assertEquals(1, check(ShopOracle.Representation.DEBEZIUM_WITHOUT_SCHEMAS).staleCount(), "a decimal string is compared as text");

        ShopOracle.Result maxwell = check(ShopOracle.Representation.MAXWELL);
        assertTrue(maxwell.missing().stream().anyMatch(m -> m.startsWith("orders/1 expected ")
                && m.contains("\"created_at\":\"2024-03-01 12:30:45.120\"") && m.contains("\"total\":12.50")), maxwell.toString());
        assertEquals(2, maxwell.staleCount(), "Maxwell's decimals are numbers: " + maxwell);
    }

    @Test
    void acceptsADecimalWithOtherTrailingZeros() throws Exception {
        put("orders", "1", ORDER_1.replace("\"total\":12.50", "\"total\":12.5"));
        assertTrue(check().isClean());
    }

    @Test
    void reportsABooleanForTinyint1AsStale() throws Exception {
        put("orders", "1", ORDER_1.replace("\"express\":1", "\"express\":true"));
        ShopOracle.Result result = check();
        assertEquals(1, result.staleCount(), result.toString());
        assertTrue(result.stale().get(0).startsWith("orders/1: express expected the integer 1 but was boolean true"), result.toString());
    }

    @Test
    void reportsANumberWrittenAsAStringAsStale() throws Exception {
        put("order_items", "10", ITEM_10.replace("\"price\":6.25", "\"price\":\"6.25\""));
        put("order_items", "11", ITEM_11.replace("\"qty\":1", "\"qty\":1.0"));
        ShopOracle.Result result = check();
        assertEquals(2, result.staleCount(), result.toString());
        assertTrue(result.stale().get(0).startsWith("order_items/10: price expected the number 6.25 but was string \"6.25\""), result.toString());
        assertTrue(result.stale().get(1).startsWith("order_items/11: qty expected the integer 1 but was number 1.0"), result.toString());
    }

    @Test
    void reportsADecimalOffByItsLastDigitAsStale() throws Exception {
        put("orders", "2", ORDER_2.replace("\"total\":0.10", "\"total\":0.1000001"));
        assertEquals(1, check().staleCount());
    }

    @Test
    void reportsAMissingAnExtraAndANullFieldAsStale() throws Exception {
        put("orders", "1", ORDER_1.replace(",\"tracking\":\"T1\"", ""));
        put("orders", "2", ORDER_2.replace("}", ",\"note\":null}"));
        put("order_items", "10", ITEM_10.replace("}", ",\"extra\":1}"));
        ShopOracle.Result result = check();
        assertEquals(3, result.staleCount(), result.toString());
        assertTrue(result.stale().get(0).startsWith("order_items/10: field extra not expected but was 1"), result.toString());
        assertTrue(result.stale().get(1).startsWith("orders/1: field shipping.tracking missing, expected \"T1\""), result.toString());
        assertTrue(result.stale().get(2).startsWith("orders/2: field note not expected but was null"), result.toString());
    }

    @Test
    void reportsMissingAndExtraDocumentsWithTheirIds() throws Exception {
        rest.performRequest(new Request("DELETE", "/orders/_doc/2"));
        put("orders", "3", "{\"id\":3}"); // a cancelled order
        put("orders", "4", "{\"shipping\":{\"order_id\":4}}"); // a shipping row without its order
        ShopOracle.Result result = check();
        assertEquals(1, result.missingCount(), result.toString());
        assertEquals(2, result.extraCount(), result.toString());
        assertEquals(0, result.staleCount(), result.toString());
        assertTrue(result.missing().get(0).startsWith("orders/2 expected "), result.toString());
        assertEquals(List.of("orders/3 {\"id\":3}", "orders/4 {\"shipping\":{\"order_id\":4}}"), result.extra());
    }

    private static ShopOracle.Result check() throws Exception {
        return check(ShopOracle.Representation.CANAL);
    }

    private static ShopOracle.Result check(ShopOracle.Representation representation) throws Exception {
        rest.performRequest(new Request("POST", "/_refresh"));
        return ShopOracle.of(db, rest, representation).verify();
    }

    private static void put(String index, String id, String json) throws Exception {
        put(index, id, json, null);
    }

    private static void put(String index, String id, String json, String routing) throws Exception {
        Request put = new Request("PUT", "/" + index + "/_doc/" + id);
        if (routing != null) {
            put.addParameter("routing", routing);
        }
        put.setJsonEntity(json);
        rest.performRequest(put);
    }
}
