package io.factum.cli;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module arrows of docs/ARCHITECTURE.md, enforced. Think hard about the layering before changing
 * a rule here: every backend and every user relies on the API depending on nothing, and on the
 * engine knowing nothing of what is built on top of it.
 *
 * <p>Classes are imported from this module's whole test classpath under {@code io.factum}: the
 * CLI depends on every module (factum-testkit and benchmarks only for this test), so each module's
 * main classes are here. Rules about modules that are still empty allow an empty match.
 */
class ArchitectureTest {

    /** Pretend modules that break the rules on purpose, to show that the rules can fail. */
    private static final String FIXTURES = "/io/factum/archfixture";

    private static JavaClasses factum = new ClassFileImporter().importClasses();

    @BeforeAll
    static void importClasses() {
        factum = new ClassFileImporter()
                .withImportOption(location -> !location.contains(FIXTURES))
                .importPackages("io.factum");
    }

    @Test
    void theImportSeesTheModules() {
        assertThat(factum.containPackage("io.factum.api")).isTrue();
        assertThat(factum.containPackage("io.factum.engine")).isTrue();
        assertThat(factum.containPackage("io.factum.cli")).isTrue();
        assertThat(factum.containPackage("io.factum.protocol")).isTrue();
        assertThat(factum.containPackage("io.factum.server")).isTrue();
        assertThat(factum.containPackage("io.factum.client")).isTrue();
        assertThat(factum.containPackage("io.factum.framework")).isTrue();
        assertThat(factum.contain(io.factum.api.EventStore.class)).isTrue();
    }

    @Test
    void apiDependsOnNoOtherFactumPackage() {
        ArchRule rule = noClasses()
                .that()
                .resideInAPackage("io.factum.api..")
                .should()
                .dependOnClassesThat(resideInAPackage("io.factum..").and(resideOutsideOfPackage("io.factum.api..")))
                .because("factum-api is the contract every backend implements; it depends on nothing");
        rule.check(factum);
    }

    @Test
    void engineDependsOnNothingBuiltOnTopOfIt() {
        ArchRule rule = noClasses()
                .that()
                .resideInAPackage("io.factum.engine..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.factum.cli..",
                        "io.factum.testkit..",
                        "io.factum.bench..",
                        "io.factum.server..",
                        "io.factum.framework..",
                        "io.factum.client..",
                        "io.factum.cluster..")
                .because("the engine may depend on the API only");
        rule.check(factum);
    }

    @Test
    void clusterDependsOnTheEngineAndTheApiOnly() {
        ArchRule rule = noClasses()
                .that()
                .resideInAPackage("io.factum.cluster..")
                .should()
                .dependOnClassesThat(resideInAPackage("io.factum..")
                        .and(resideOutsideOfPackage("io.factum.api.."))
                        .and(resideOutsideOfPackage("io.factum.engine.."))
                        .and(resideOutsideOfPackage("io.factum.cluster..")))
                .because("the cluster replicates the engine; the server is built on top of it, not below")
                .allowEmptyShould(true);
        rule.check(factum);
    }

    @Test
    void protocolDependsOnNoOtherFactumPackage() {
        ArchRule rule = noClasses()
                .that()
                .resideInAPackage("io.factum.protocol..")
                .should()
                .dependOnClassesThat(
                        resideInAPackage("io.factum..").and(resideOutsideOfPackage("io.factum.protocol..")))
                .because("factum-protocol is the wire format shared by the server and the client");
        rule.check(factum);
    }

    @Test
    void clientDependsOnTheApiAndTheProtocolOnly() {
        ArchRule rule = noClasses()
                .that()
                .resideInAPackage("io.factum.client..")
                .should()
                .dependOnClassesThat(resideInAPackage("io.factum..")
                        .and(resideOutsideOfPackage("io.factum.api.."))
                        .and(resideOutsideOfPackage("io.factum.protocol.."))
                        .and(resideOutsideOfPackage("io.factum.client..")))
                .because("the remote client is the contract over the wire: it knows no server or engine code");
        rule.check(factum);
    }

    @Test
    void serverKnowsNothingOfItsClientsOrTheCli() {
        ArchRule rule = noClasses()
                .that()
                .resideInAPackage("io.factum.server..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.factum.client..", "io.factum.cli..", "io.factum.testkit..", "io.factum.bench..")
                .because("the server serves the contract; clients and tools are built on top of it");
        rule.check(factum);
    }

    @Test
    void nothingBelowTheServerKnowsTheWire() {
        ArchRule rule = noClasses()
                .that()
                .resideInAnyPackage("io.factum.api..", "io.factum.engine..", "io.factum.testkit..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.grpc..", "com.google.protobuf..", "io.netty..")
                .because("nothing below the server knows about gRPC or HTTP (docs/ARCHITECTURE.md)");
        rule.check(factum);
    }

    @Test
    void frameworkDependsOnTheApiOnly() {
        onTheApiOnly("io.factum.framework").check(factum);
    }

    @Test
    void theApiOnlyRuleCatchesAModuleOnTheEngine() {
        JavaClasses fixtures = new ClassFileImporter().importPackages("io.factum.archfixture3");

        assertThatThrownBy(() -> onTheApiOnly("io.factum.archfixture3").check(fixtures))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("io.factum.archfixture3.OnTheEngine")
                .hasMessageContaining("io.factum.engine.EmbeddedEventStore");
    }

    /** Classes of {@code module} use no Factum package but the API and their own. */
    private static ArchRule onTheApiOnly(String module) {
        return noClasses()
                .that()
                .resideInAPackage(module + "..")
                .should()
                .dependOnClassesThat(resideInAPackage("io.factum..")
                        .and(resideOutsideOfPackage("io.factum.api.."))
                        .and(resideOutsideOfPackage(module + "..")))
                .because("the framework must run unchanged on every backend: embedded, remote, cluster, PostgreSQL");
    }

    @Test
    void testkitDependsOnTheApiOnly() {
        ArchRule rule = noClasses()
                .that()
                .resideInAPackage("io.factum.testkit..")
                .should()
                .dependOnClassesThat(resideInAPackage("io.factum..")
                        .and(resideOutsideOfPackage("io.factum.api.."))
                        .and(resideOutsideOfPackage("io.factum.testkit..")))
                .because("the TCK must test every backend through the contract alone")
                // factum-testkit is still empty while its first classes are being written.
                .allowEmptyShould(true);
        rule.check(factum);
    }

    @Test
    void noModuleReachesIntoAnotherModulesInternals() {
        internalsRule().check(factum);
    }

    @Test
    void theInternalsRuleCatchesAnIntruder() {
        JavaClasses fixtures =
                new ClassFileImporter().importPackages("io.factum.archfixture", "io.factum.archfixture2");

        assertThatThrownBy(() -> internalsRule().check(fixtures))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("io.factum.archfixture2.Intruder")
                .hasMessageContaining("io.factum.archfixture.internal.Secret");
        assertThat(factum.containPackage("io.factum.archfixture2"))
                .as("fixtures stay out of the real check")
                .isFalse();
    }

    private static ArchRule internalsRule() {
        return classes()
                .that()
                .resideInAPackage("io.factum..")
                .should(onlyUseInternalsOfTheirOwnModule())
                .because("internal packages are not API: only their own module may use them");
    }

    @Test
    void engineInternalsStayInsideTheEngine() {
        ArchRule rule = noClasses()
                .that()
                .resideOutsideOfPackage("io.factum.engine..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.factum.engine.internal..")
                .because("io.factum.engine.EmbeddedEventStore and its option and report types are the engine's API");
        rule.check(factum);
    }

    /**
     * The module of a class is the package segment after {@code io.factum} ({@code engine} for {@code
     * io.factum.engine.internal.log.Segment}).
     */
    static Optional<String> module(JavaClass type) {
        String name = type.getPackageName();
        if (!name.startsWith("io.factum.")) {
            return Optional.empty();
        }
        String rest = name.substring("io.factum.".length());
        int dot = rest.indexOf('.');
        return Optional.of(dot < 0 ? rest : rest.substring(0, dot));
    }

    static boolean isInternal(JavaClass type) {
        return ("." + type.getPackageName() + ".").contains(".internal.");
    }

    private static ArchCondition<JavaClass> onlyUseInternalsOfTheirOwnModule() {
        return new ArchCondition<>("only depend on internal packages of their own module") {
            @Override
            public void check(JavaClass origin, ConditionEvents events) {
                for (Dependency dependency : origin.getDirectDependenciesFromSelf()) {
                    JavaClass target = dependency.getTargetClass();
                    boolean foreignInternal = isInternal(target)
                            && module(target).isPresent()
                            && !module(target).equals(module(origin));
                    if (foreignInternal) {
                        events.add(SimpleConditionEvent.violated(dependency, dependency.getDescription()));
                    }
                }
            }
        };
    }
}
