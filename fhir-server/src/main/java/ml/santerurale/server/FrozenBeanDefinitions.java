package ml.santerurale.server;

import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Freezes the bean definitions as soon as every bean factory post-processor has run, instead of
 * when Spring starts creating the remaining singletons.
 *
 * <p>Why: Spring caches "which beans have type T" only once the configuration is frozen. The web
 * server's creation ({@code onRefresh}) comes before Spring's own freeze, and the {@code /fhir}
 * servlet registration holds HAPI's {@code RestfulServer}, so HAPI's whole graph (its DAOs, the
 * entity manager, the validation chain) was built with each autowired dependency predicting the
 * type of every bean definition (a quarter of the main thread's start-up, docs/PERFORMANCE.md).
 *
 * <p>A bean post-processor: the first bean initialised after every post-processor is registered
 * (and so after the last factory post-processor, before {@code onRefresh}) freezes the
 * definitions; nothing in this application registers bean definitions later. Does not guarantee that a bean definition registered after this point is
 * found by a type lookup made before it (Spring clears its type cache for a new definition, but
 * not for a singleton registered by hand with a type looked up before).
 */
@Configuration(proxyBeanMethods = false)
class FrozenBeanDefinitions {

    @Bean
    static BeanPostProcessor freezeBeanDefinitionsBeforeTheWebServer() {
        return new Freezer();
    }

    private static final class Freezer implements BeanPostProcessor, BeanFactoryAware {
        private ConfigurableListableBeanFactory beanFactory;
        private volatile boolean frozen;

        @Override
        public void setBeanFactory(BeanFactory factory) throws BeansException {
            if (factory instanceof ConfigurableListableBeanFactory listable) {
                this.beanFactory = listable;
            }
        }

        /** The first bean initialised once every post-processor is registered freezes the definitions. */
        @Override
        public Object postProcessBeforeInitialization(Object bean, String beanName) {
            if (!frozen && beanFactory != null) {
                frozen = true;
                beanFactory.freezeConfiguration();
            }
            return bean;
        }
    }
}
