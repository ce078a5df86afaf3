package org.elasticsearch.node;

import java.util.Collection;
import java.util.List;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.MockPluginsService;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.PluginsLoader;
import org.elasticsearch.plugins.PluginsService;

/**
 * An Elasticsearch node whose plugins are classes on the test class path. It lives in this package
 * because {@link Node}'s construction hooks ({@code NodeConstruction}, {@code NodeServiceProvider})
 * are package-private; the stock {@code MockNode} insists on the randomized-testing runner.
 *
 * <p>Used only by {@code dev.binlogsync.testing.EmbeddedElasticsearch}; not an API of its own.
 *
 * <p><b>Lifecycle and threads</b> are {@link Node}'s: construct, {@link Node#start()} once,
 * {@link Node#close()} once; a closed node cannot start again. This class adds no locking:
 * {@code EmbeddedElasticsearch} makes a new node for every start and calls these methods under
 * its own lock. Several nodes may live in one JVM, each with its own environment (data path and
 * ports).
 */
public final class EmbeddedNode extends Node {

    /**
     * @param environment the node's environment ({@link InternalSettingsPreparer#prepareEnvironment})
     * @param plugins plugin classes to load from the class path (e.g. transport-netty4)
     */
    public EmbeddedNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
        super(NodeConstruction.prepareConstruction(environment, null, new ClassPathPlugins(List.copyOf(plugins)), true));
    }

    /** Allows more than one node per JVM (the stock one sets a static, once-only listener). */
    @Override
    protected void configureNodeAndClusterIdStateListener(ClusterService clusterService) {
    }

    private static final class ClassPathPlugins extends NodeServiceProvider {
        private final Collection<Class<? extends Plugin>> plugins;

        ClassPathPlugins(Collection<Class<? extends Plugin>> plugins) {
            this.plugins = plugins;
        }

        @Override
        PluginsService newPluginService(Environment environment, PluginsLoader pluginsLoader) {
            return new MockPluginsService(environment.settings(), environment, plugins);
        }
    }
}
