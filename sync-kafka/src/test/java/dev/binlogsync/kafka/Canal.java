package dev.binlogsync.kafka;

import java.nio.charset.StandardCharsets;

/** Builds Canal flat messages the way Canal writes them (fastjson: fields in alphabetical order, values as strings). */
final class Canal {
    private Canal() {
    }

    /** A single-row INSERT into shop.orders with id and a status text. */
    static byte[] insert(long id, String status) {
        return row("INSERT", id, status);
    }

    /** A single-row UPDATE of shop.orders changing status. */
    static byte[] update(long id, String status, String oldStatus) {
        return ("{\"data\":[{\"id\":\"" + id + "\",\"status\":\"" + status + "\"}],\"database\":\"shop\",\"es\":1700000000000,"
                + "\"id\":7,\"isDdl\":false,\"mysqlType\":{\"id\":\"bigint(20)\",\"status\":\"varchar(32)\"},"
                + "\"old\":[{\"status\":\"" + oldStatus + "\"}],\"pkNames\":[\"id\"],\"sql\":\"\","
                + "\"sqlType\":{\"id\":-5,\"status\":12},\"table\":\"orders\",\"ts\":1700000000123,\"type\":\"UPDATE\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] row(String type, long id, String status) {
        return ("{\"data\":[{\"id\":\"" + id + "\",\"status\":\"" + status + "\"}],\"database\":\"shop\",\"es\":1700000000000,"
                + "\"id\":7,\"isDdl\":false,\"mysqlType\":{\"id\":\"bigint(20)\",\"status\":\"varchar(32)\"},"
                + "\"old\":null,\"pkNames\":[\"id\"],\"sql\":\"\",\"sqlType\":{\"id\":-5,\"status\":12},"
                + "\"table\":\"orders\",\"ts\":1700000000123,\"type\":\"" + type + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }
}
