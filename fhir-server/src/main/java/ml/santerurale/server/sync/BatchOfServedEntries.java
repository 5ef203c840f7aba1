package ml.santerurale.server.sync;

import java.util.Map;
import java.util.function.UnaryOperator;
import ml.santerurale.interceptors.guard.ServedTypesGuard;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * A batch with entries of types this server does not serve: those entries are answered on their
 * own (404, {@code not-supported}, naming the entry) and the others run, as FHIR's batch rules
 * say. The answer keeps the order of the request's entries.
 *
 * <p>Does not guarantee: anything about the other entries, which HAPI processes one by one with
 * every check any request meets.
 */
final class BatchOfServedEntries {

    private final ServedTypesGuard servedTypes;

    BatchOfServedEntries(ServedTypesGuard servedTypes) {
        this.servedTypes = servedTypes;
    }

    Bundle run(Bundle batch, UnaryOperator<Bundle> processor) {
        Map<Integer, OperationOutcome> unserved = servedTypes.unservedEntries(batch);
        if (unserved.isEmpty()) {
            return processor.apply(batch);
        }
        Bundle served = batch.copy();
        served.getEntry().clear();
        for (int i = 0; i < batch.getEntry().size(); i++) {
            if (!unserved.containsKey(i)) {
                served.addEntry(batch.getEntry().get(i));
            }
        }
        Bundle processed = processor.apply(served);
        Bundle answer = processed.copy();
        answer.getEntry().clear();
        int next = 0;
        for (int i = 0; i < batch.getEntry().size(); i++) {
            OperationOutcome refusal = unserved.get(i);
            if (refusal != null) {
                answer.addEntry().getResponse().setStatus("404 Not Found").setOutcome(refusal);
            } else {
                answer.addEntry(processed.getEntry().get(next++));
            }
        }
        return answer;
    }
}
