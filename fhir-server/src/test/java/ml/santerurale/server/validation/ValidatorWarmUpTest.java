package ml.santerurale.server.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;

class ValidatorWarmUpTest {

    private final List<IBaseResource> examples = List.of(new Patient(), new Encounter(), new Observation());
    private final List<IBaseResource> validated = new CopyOnWriteArrayList<>();
    /** A server where no client writes anything. */
    private final RequestValidations idleServer = new RequestValidations(resource -> null);

    @Test
    void theSecondStepValidatesTheExamplesInTurnAsManyTimesAsConfigured() {
        ValidatorWarmUp warmUp = new ValidatorWarmUp(examples, validated::add, 25, idleServer);

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
        }, 30, idleServer);

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
        ValidatorWarmUp warmUp = new ValidatorWarmUp(examples, validated::add, 0, idleServer);

        warmUp.compile();
        Thread.sleep(200);

        assertThat(validated).isEmpty();
        assertThat(warmUp.run()).startsWith("0 validations");
    }

    @Test
    void itWaitsWhileAClientsWriteIsBeingValidated() throws Exception {
        CountDownLatch clientValidating = new CountDownLatch(1);
        CountDownLatch clientMayFinish = new CountDownLatch(1);
        RequestValidations requests = new RequestValidations(resource -> {
            clientValidating.countDown();
            await(clientMayFinish);
            return null;
        });
        Thread client = new Thread(() -> requests.validate(new Patient()));
        client.start();
        assertThat(clientValidating.await(5, TimeUnit.SECONDS)).isTrue();
        ValidatorWarmUp warmUp = new ValidatorWarmUp(examples, validated::add, 5, requests);
        AtomicReference<String> measured = new AtomicReference<>();
        Thread warming = new Thread(() -> measured.set(warmUp.run()));
        warming.start();

        Thread.sleep(300);
        assertThat(validated).as("nothing while the client's validation runs").isEmpty();
        clientMayFinish.countDown();
        client.join(5_000);
        warming.join(10_000);

        assertThat(validated).as("the client's validation counts towards the five").hasSize(4);
        assertThat(measured.get()).startsWith("4 validations in ").contains("1 by clients' writes");
    }

    @Test
    void itWaitsWhileAnyClientsRequestIsProcessedNotOnlyValidated() throws Exception {
        RequestValidations requests = new RequestValidations(resource -> null);
        java.util.Map<Object, Object> write = new java.util.HashMap<>();
        java.util.Map<Object, Object> read = new java.util.HashMap<>();
        java.util.Map<Object, Object> unmarked = new java.util.HashMap<>();
        requests.requestStarted(write);
        requests.requestStarted(read);
        requests.requestEnded(unmarked); // a request that was never marked ends: changes nothing
        ValidatorWarmUp warmUp = new ValidatorWarmUp(examples, validated::add, 5, requests);
        Thread warming = new Thread(warmUp::run);
        warming.start();

        Thread.sleep(300);
        assertThat(validated).as("nothing while the write is stored").isEmpty();
        requests.requestEnded(write);
        Thread.sleep(400);
        assertThat(validated).as("nothing while the read is answered").isEmpty();
        requests.requestEnded(read);
        warming.join(10_000);

        assertThat(validated).hasSize(5);
    }

    @Test
    void clientsValidationsCountTowardsItsNumber() {
        AtomicLong clock = new AtomicLong();
        RequestValidations requests = new RequestValidations(resource -> null, clock::get);
        ValidatorWarmUp warmUp = new ValidatorWarmUp(examples, resource -> {
            if (validated.isEmpty()) {
                for (int i = 0; i < 4; i++) {
                    requests.validate(new Patient());
                }
                clock.addAndGet(TimeUnit.SECONDS.toNanos(1)); // long enough ago: not underway any more
            }
            validated.add(resource);
        }, 10, requests);

        String measured = warmUp.run();

        assertThat(validated).hasSize(6);
        assertThat(measured).contains("4 by clients' writes");
    }

    @Test
    void aGuideWithoutExamplesCannotWarmTheValidator() {
        assertThatThrownBy(() -> new ValidatorWarmUp(List.of(), validated::add, 10, idleServer))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
