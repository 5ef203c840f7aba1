package ml.santerurale.server.load;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every batch the devices sent, and which the server acknowledged (a 200, first answer or
 * replay). Acknowledged batches must be stored exactly once; the others (refused, or still
 * unanswered when the drill ends) at most once, and whole or not at all.
 */
final class Ledger {

    private final Map<String, SyncBatch> sent = new ConcurrentHashMap<>();
    private final Map<String, SyncBatch> acknowledged = new ConcurrentHashMap<>();
    private final Map<String, String> refused = new ConcurrentHashMap<>();

    void sent(SyncBatch batch) {
        sent.put(batch.key(), batch);
    }

    void acknowledged(SyncBatch batch) {
        acknowledged.put(batch.key(), batch);
    }

    void refused(SyncBatch batch, String why) {
        refused.put(batch.key(), why);
    }

    List<SyncBatch> acknowledged() {
        return List.copyOf(acknowledged.values());
    }

    List<SyncBatch> unacknowledged() {
        return sent.values().stream().filter(b -> !acknowledged.containsKey(b.key())).toList();
    }

    Map<String, String> refused() {
        return Map.copyOf(refused);
    }
}
