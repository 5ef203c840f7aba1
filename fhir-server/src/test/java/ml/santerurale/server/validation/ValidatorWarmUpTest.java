package ml.santerurale.server.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;

class ValidatorWarmUpTest {

    private final List<IBaseResource> examples = List.of(new Patient(), new Encounter(), new Observation());
    private final List<IBaseResource> validated = new CopyOnWriteArrayList<>();

    @Test
    void theSecondStepValidatesTheExamplesInTurnAsManyTimesAsConfigured() {
        ValidatorWarmUp warmUp = new ValidatorWarmUp(examples, validated::add, 25);

        String measured = warmUp.run();

        assertThat(validated).hasSize(25);
        assertThat(validated.subList(0, 6)).containsExactly(examples.get(0), examples.get(1), examples.get(2),
                examples.get(0), examples.get(1), examples.get(2));
        assertThat(measured).startsWith("25 validations in ");
    }

    @Test
    void theSecondStepStartsAfterTheFirstHasLoadedTheDefinitions() throws Exception {
        ValidatorWarmUp warmUp = new ValidatorWarmUp(examples, resource -> {
            if (validated.isEmpty()) {
                sleep(200); // the first validation loads the definitions: slow
            }
            validated.add(resource);
        }, 30);

        warmUp.loadDefinitions();
        warmUp.compile();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (validated.size() < 33 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(100);
        assertThat(validated).hasSize(3 + 30);
        assertThat(validated.subList(0, 3)).containsExactlyElementsOf(examples);
    }

    @Test
    void noSecondStepWhenSetToZero() throws Exception {
        ValidatorWarmUp warmUp = new ValidatorWarmUp(examples, validated::add, 0);

        warmUp.compile();
        Thread.sleep(200);

        assertThat(validated).isEmpty();
        assertThat(warmUp.run()).startsWith("0 validations");
    }

    @Test
    void aGuideWithoutExamplesCannotWarmTheValidator() {
        assertThatThrownBy(() -> new ValidatorWarmUp(List.of(), validated::add, 10))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
