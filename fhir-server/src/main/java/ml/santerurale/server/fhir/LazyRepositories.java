package ml.santerurale.server.fhir;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.config.ConstructorArgumentValues.ValueHolder;
import org.springframework.beans.factory.config.DependencyDescriptor;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.ContextAnnotationAutowireCandidateResolver;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.data.repository.core.support.RepositoryFactoryBeanSupport;

/**
 * Builds HAPI's Spring Data repositories (56 of them) after the server is ready instead of before:
 * building one parses and validates each of its queries (Spring Data's query parser, then
 * Hibernate's), a sixth of the start-up's main thread (docs/PERFORMANCE.md, "Start-up").
 *
 * <p>What Spring Data's own {@code BootstrapMode.LAZY} does, applied to repositories whose
 * {@code @EnableJpaRepositories} (HAPI's) we do not own: each repository bean is lazy, its
 * factory bean builds the repository on first use, and every injection point receives a proxy
 * that looks the repository up at its first call. Once the application is ready, one background
 * thread builds them all, so that the first requests rarely pay for it; a request that needs one
 * first builds it itself (Spring builds a singleton once, other callers wait for it).
 *
 * <p>Does not guarantee that a repository's query is valid before its first use: an invalid
 * query (none is known in HAPI 8.8) fails at that use, or in the background build, logged.
 */
final class LazyRepositories implements BeanFactoryPostProcessor, ApplicationListener<ApplicationEvent>, ApplicationContextAware {

    private static final Logger log = LoggerFactory.getLogger(LazyRepositories.class);

    private final List<String> beanNames = new ArrayList<>();
    private ConfigurableListableBeanFactory beanFactory;
    private volatile boolean closing;
    private ApplicationContext context;

    @Override
    public void setApplicationContext(ApplicationContext applicationContext) {
        this.context = applicationContext;
    }

    /** The names of the repository beans made lazy (for tests: each must build). */
    List<String> beanNames() {
        return List.copyOf(beanNames);
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory factory) throws BeansException {
        if (!(factory instanceof DefaultListableBeanFactory listable)
                || !(listable.getAutowireCandidateResolver() instanceof ContextAnnotationAutowireCandidateResolver)) {
            log.warn("Repositories are built at start-up: the bean factory is not Spring's default one");
            return;
        }
        Set<String> interfaces = new TreeSet<>();
        for (String name : listable.getBeanDefinitionNames()) {
            BeanDefinition definition = listable.getBeanDefinition(name);
            String repositoryInterface = repositoryInterface(definition);
            if (repositoryInterface != null) {
                definition.setLazyInit(true);
                definition.getPropertyValues().add("lazyInit", true);
                interfaces.add(repositoryInterface);
                beanNames.add(name);
            }
        }
        listable.setAutowireCandidateResolver(new LazyInjection(interfaces));
        this.beanFactory = listable;
    }

    /** The repository interface a Spring Data factory bean definition builds, or null for any other bean. */
    private static String repositoryInterface(BeanDefinition definition) {
        String className = definition.getBeanClassName();
        if (className == null) {
            return null;
        }
        try {
            Class<?> type = Class.forName(className, false, LazyRepositories.class.getClassLoader());
            if (!RepositoryFactoryBeanSupport.class.isAssignableFrom(type)) {
                return null;
            }
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
        ValueHolder first = definition.getConstructorArgumentValues().getIndexedArgumentValue(0, null);
        Object value = first == null ? null : first.getValue();
        if (value instanceof Class<?> type) {
            return type.getName();
        }
        return value instanceof String name ? name : null;
    }

    @Override
    public void onApplicationEvent(ApplicationEvent event) {
        if (event instanceof ContextClosedEvent closed && closed.getApplicationContext() == context) {
            closing = true;
        }
        if (!(event instanceof ApplicationReadyEvent) || beanFactory == null || beanNames.isEmpty()) {
            return;
        }
        Thread builder = new Thread(this::buildAll, "repository-build");
        builder.setDaemon(true);
        builder.setPriority(Thread.MIN_PRIORITY);
        builder.start();
    }

    private void buildAll() {
        long start = System.nanoTime();
        int built = 0;
        for (String name : beanNames) {
            if (closing) {
                return;
            }
            try {
                // Cheap when already built (the factory bean caches its repository).
                beanFactory.getBean(name);
                built++;
            } catch (RuntimeException e) {
                if (closing) {
                    return;
                }
                log.error("Repository {} could not be built", name, e);
            }
        }
        log.info("{} of {} repositories ready after start-up in {} ms", built, beanNames.size(),
                (System.nanoTime() - start) / 1_000_000);
    }

    /** Injects a lazy proxy wherever one of the lazy repositories is a dependency. */
    private static final class LazyInjection extends ContextAnnotationAutowireCandidateResolver {

        private final Set<String> interfaces;

        LazyInjection(Set<String> interfaces) {
            this.interfaces = Set.copyOf(interfaces);
        }

        @Override
        protected boolean isLazy(DependencyDescriptor descriptor) {
            return interfaces.contains(descriptor.getDependencyType().getName()) || super.isLazy(descriptor);
        }
    }
}
