// KEDA's postgresql, redis-streams (stream length), redis-cluster,
// redis-sentinel, redis-cluster-streams and redis-sentinel-streams triggers, on ScaledObjects of
// the shape KEDA's scaler pages use, with their TriggerAuthentications given beside them (the
// Secret keys become the policy's Secret references). Each output is read back by the
// controller's own parser, so it is a policy the controller accepts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "parsed_policy.h"

namespace gearbox::convert::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

YAML::Node Output(const Outcome& run) { return YAML::Load(run.out); }

reconcile::ParsedPolicy Accepted(const Outcome& run) { return ParsedPolicyOf(run); }

// A ScaledObject on Deployment worker in namespace my-project with `triggers`, after `before`
// (other documents: TriggerAuthentications).
std::string Worker(const std::string& triggers, const std::string& before = "") {
  return before +
         "---\napiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: worker, "
         "namespace: my-project}\nspec:\n  scaleTargetRef: {name: worker}\n  triggers:\n" +
         triggers;
}

const char* kPostgresAuth = R"yaml(
apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata:
  name: keda-trigger-auth-postgresql-secret
  namespace: my-project
spec:
  secretTargetRef:
  - parameter: password
    name: keda-postgresql-secret
    key: postgresql_password
)yaml";

// KEDA's postgresql page: host, port, userName, dbName and sslmode in the metadata, the password
// from a TriggerAuthentication.
TEST(ConvertPostgresql, FieldsAndATriggerAuthenticationPasswordBecomeTheSource) {
  const Outcome run = Convert({}, Worker(R"yaml(
  - type: postgresql
    metadata:
      userName: "kedaUser"
      host: postgres-svc.namespace.cluster.local
      port: "5432"
      dbName: test_db_name
      sslmode: disable
      query: "SELECT ceil(COUNT(*)::decimal / 16) FROM task_instance WHERE state='running' OR state='queued'"
      targetQueryValue: "1"
    authenticationRef:
      name: keda-trigger-auth-postgresql-secret
)yaml",
                                         kPostgresAuth));
  ASSERT_EQ(run.code, 0) << run.err;
  const YAML::Node source = Output(run)["spec"]["sources"]["postgresql"];
  EXPECT_EQ(source["host"].as<std::string>(), "postgres-svc.namespace.cluster.local");
  EXPECT_EQ(source["port"].as<int>(), 5432);
  EXPECT_EQ(source["database"].as<std::string>(), "test_db_name");
  EXPECT_EQ(source["user"].as<std::string>(), "kedaUser");
  EXPECT_EQ(source["sslmode"].as<std::string>(), "disable");
  EXPECT_EQ(source["passwordSecretRef"]["name"].as<std::string>(), "keda-postgresql-secret");
  EXPECT_EQ(source["passwordSecretRef"]["key"].as<std::string>(), "postgresql_password");
  const YAML::Node metric = Output(run)["spec"]["metrics"][0];
  EXPECT_THAT(metric["postgresql"]["query"].as<std::string>(), HasSubstr("ceil(COUNT(*)"));
  EXPECT_THAT(run.out, Not(HasSubstr("Not carried over")));
  const reconcile::ParsedPolicy policy = Accepted(run);
  ASSERT_TRUE(policy.postgresql.has_value());
  EXPECT_EQ(policy.metrics.at(0).type, reconcile::MetricDef::Type::kPostgres);
  // KEDA's AverageValue: the value is divided by the replicas, against targetQueryValue 1.
  const auto& rule = policy.spec.components.at(0).scale_up->rules.back();
  EXPECT_TRUE(rule.per_replica);
  EXPECT_EQ(rule.threshold, 1);
}

// KEDA's postgresql page, the Airflow example: the connection string from the target's
// environment. It cannot be read from there: a placeholder Secret, and said.
TEST(ConvertPostgresql, AConnectionFromTheEnvironmentIsAPlaceholderSecretAndSaidSo) {
  const Outcome run = Convert({}, Worker(R"yaml(
  - type: postgresql
    metadata:
      connectionFromEnv: AIRFLOW_CONN_AIRFLOW_DB
      query: "SELECT ceil(COUNT(*)::decimal / 16) FROM task_instance WHERE state='running' OR state='queued'"
      targetQueryValue: "1.5"
      activationTargetQueryValue: "5"
)yaml"));
  ASSERT_EQ(run.code, 3) << run.err;  // a placeholder: the policy cannot connect until it is set
  EXPECT_THAT(run.err, HasSubstr("not carried over: spec.sources.postgresql.connectionSecretRef"));
  const YAML::Node ref = Output(run)["spec"]["sources"]["postgresql"]["connectionSecretRef"];
  EXPECT_EQ(ref["name"].as<std::string>(), "postgresql-connection");
  EXPECT_THAT(run.out, HasSubstr("a placeholder: KEDA read the connection string from the "
                                 "target's environment"));
  // minReplicaCount 0 (KEDA's default) and an activation: the query can wake it from 0.
  const YAML::Node zero = Output(run)["spec"]["components"][0]["scaleToZero"];
  EXPECT_EQ(zero["activation"][0]["above"].as<double>(), 5);
  Accepted(run);
}

TEST(ConvertPostgresql, AConnectionStringInATriggerAuthenticationIsConnectionSecretRef) {
  const Outcome run = Convert({}, Worker(R"yaml(
  - type: postgresql
    metadata: {query: "SELECT count(*) FROM jobs", targetQueryValue: "10"}
    authenticationRef: {name: pg-connection, kind: ClusterTriggerAuthentication}
)yaml",
                                         R"yaml(
apiVersion: keda.sh/v1alpha1
kind: ClusterTriggerAuthentication
metadata: {name: pg-connection}
spec:
  secretTargetRef:
  - {parameter: connection, name: pg-dsn, key: dsn}
)yaml"));
  ASSERT_EQ(run.code, 0) << run.err;
  const YAML::Node ref = Output(run)["spec"]["sources"]["postgresql"]["connectionSecretRef"];
  EXPECT_EQ(ref["name"].as<std::string>(), "pg-dsn");
  EXPECT_EQ(ref["key"].as<std::string>(), "dsn");
  EXPECT_THAT(run.out, HasSubstr("this Secret is in KEDA's namespace; Gearbox reads the "
                                 "policy's, copy it there"));
  Accepted(run);
}

TEST(ConvertPostgresql, AParameterFromTheEnvironmentIsDroppedAndTheExitSaysSo) {
  const Outcome run = Convert({}, Worker(R"yaml(
  - type: postgresql
    metadata: {host: db, userName: u, dbName: d, query: "SELECT 1", targetQueryValue: "1"}
    authenticationRef: {name: from-env}
)yaml",
                                         R"yaml(
apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata: {name: from-env, namespace: my-project}
spec:
  env:
  - {parameter: password, name: PG_PASSWORD, containerName: worker}
)yaml"));
  EXPECT_EQ(run.code, 3);
  EXPECT_THAT(run.err, HasSubstr("parameter password (from env): Gearbox reads Secrets only"));
}

// KEDA's redis-streams page: without a consumerGroup, the stream's length (XLEN).
TEST(ConvertRedisStreams, WithoutAGroupTheStreamLengthIsAStreamQueueOfMeasureLength) {
  const Outcome run = Convert({}, Worker(R"yaml(
  - type: redis-streams
    metadata:
      address: localhost:6379
      stream: my-stream
      streamLength: "50"
    authenticationRef:
      name: keda-redis-stream-triggerauth
)yaml",
                                         R"yaml(
apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata: {name: keda-redis-stream-triggerauth, namespace: my-project}
spec:
  secretTargetRef:
  - {parameter: password, name: redis-streams-password, key: redis_password}
)yaml"));
  ASSERT_EQ(run.code, 0) << run.err;
  const YAML::Node spec = Output(run)["spec"];
  EXPECT_EQ(spec["sources"]["redis"]["url"].as<std::string>(), "redis://localhost:6379");
  EXPECT_EQ(spec["sources"]["redis"]["passwordSecretRef"]["name"].as<std::string>(),
            "redis-streams-password");
  const YAML::Node queue = spec["metrics"][0]["queue"];
  EXPECT_EQ(queue["flavor"].as<std::string>(), "stream");
  EXPECT_EQ(queue["name"].as<std::string>(), "my-stream");
  EXPECT_EQ(queue["measure"].as<std::string>(), "length");
  const reconcile::ParsedPolicy policy = Accepted(run);
  EXPECT_EQ(policy.metrics.at(0).queue.measure, "length");
  EXPECT_EQ(policy.spec.components.at(0).scale_up->rules.back().threshold, 50);
}

TEST(ConvertRedisStreams, AConsumerGroupIsRefusedNamingTheDifference) {
  const Outcome run = Convert({}, Worker(R"yaml(
  - type: redis-streams
    metadata: {address: localhost:6379, stream: my-stream, consumerGroup: my-consumer-group,
               pendingEntriesCount: "10"}
)yaml"));
  EXPECT_EQ(run.code, 3);
  EXPECT_THAT(run.err, HasSubstr("KEDA sized on consumer group my-consumer-group's pending "
                                 "entries (XPENDING); Gearbox measures a stream's length"));
  EXPECT_THAT(run.err, HasSubstr("lag + pending entries"));
}

// The TriggerAuthentication of KEDA's Redis pages: the password, and one more parameter.
std::string RedisAuth(const std::string& more) {
  return R"yaml(
apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata: {name: keda-trigger-auth-redis-secret, namespace: my-project}
spec:
  secretTargetRef:
  - {parameter: password, name: votes-db-secret, key: redis_password}
  - )yaml" +
         more + "\n";
}

// KEDA's redis-cluster page: addresses, listName, listLength, the password from a
// TriggerAuthentication, TLS on.
TEST(ConvertRedisCluster, AddressesAndThePasswordBecomeTheClusterSource) {
  const Outcome run =
      Convert({}, Worker(R"yaml(
  - type: redis-cluster
    metadata:
      addresses: node1:6379, node2:6379, node3:6379
      listName: mylist
      listLength: "5"
      activationListLength: "1"
      enableTLS: "true"
    authenticationRef:
      name: keda-trigger-auth-redis-secret
)yaml",
                         RedisAuth("{parameter: ca, name: redis-tls, key: ca.crt}")));
  ASSERT_EQ(run.code, 0) << run.err;
  const YAML::Node redis = Output(run)["spec"]["sources"]["redis"];
  EXPECT_FALSE(redis["url"]);
  ASSERT_EQ(redis["cluster"]["addresses"].size(), 3u);
  EXPECT_EQ(redis["cluster"]["addresses"][1].as<std::string>(), "node2:6379");
  EXPECT_EQ(redis["passwordSecretRef"]["key"].as<std::string>(), "redis_password");
  EXPECT_EQ(redis["tls"]["caSecretRef"]["name"].as<std::string>(), "redis-tls");
  const reconcile::ParsedPolicy policy = Accepted(run);
  ASSERT_TRUE(policy.redis && policy.redis->cluster);
  EXPECT_EQ(policy.redis->cluster->addresses.size(), 3u);
  EXPECT_TRUE(policy.redis->tls.has_value());
}

// KEDA's redis-sentinel page: hosts and ports, the master's name, the master's and the
// sentinels' passwords from a TriggerAuthentication.
TEST(ConvertRedisSentinel, SentinelsMasterAndBothPasswordsBecomeTheSentinelSource) {
  const Outcome run =
      Convert({}, Worker(R"yaml(
  - type: redis-sentinel
    metadata:
      hosts: node1, node2, node3
      ports: "26379"
      sentinelMaster: mymaster
      listName: mylist
      listLength: "5"
      databaseIndex: "2"
    authenticationRef:
      name: keda-trigger-auth-redis-secret
)yaml",
                         RedisAuth("{parameter: sentinelPassword, name: sentinel-secret, "
                                   "key: sentinel_password}")));
  ASSERT_EQ(run.code, 0) << run.err;
  const YAML::Node sentinel = Output(run)["spec"]["sources"]["redis"]["sentinel"];
  EXPECT_EQ(sentinel["addresses"][2].as<std::string>(), "node3:26379");
  EXPECT_EQ(sentinel["masterName"].as<std::string>(), "mymaster");
  EXPECT_EQ(sentinel["database"].as<int>(), 2);
  EXPECT_EQ(sentinel["passwordSecretRef"]["name"].as<std::string>(), "sentinel-secret");
  EXPECT_EQ(Output(run)["spec"]["sources"]["redis"]["passwordSecretRef"]["name"].as<std::string>(),
            "votes-db-secret");
  const reconcile::ParsedPolicy policy = Accepted(run);
  ASSERT_TRUE(policy.redis && policy.redis->sentinel);
  EXPECT_EQ(policy.redis->sentinel->master_name, "mymaster");
  EXPECT_EQ(policy.redis->sentinel->database, 2);
}

TEST(ConvertRedisTopologyStreams, ClusterAndSentinelStreamsMeasureTheLength) {
  for (const char* type : {"redis-cluster-streams", "redis-sentinel-streams"}) {
    const Outcome run = Convert({}, Worker(std::string("  - type: ") + type + R"yaml(
    metadata:
      addresses: node1:6379, node2:6379
      sentinelMaster: mymaster
      stream: my-stream
      streamLength: "20"
)yaml"));
    ASSERT_EQ(run.code, 0) << type << ": " << run.err;
    const YAML::Node queue = Output(run)["spec"]["metrics"][0]["queue"];
    EXPECT_EQ(queue["measure"].as<std::string>(), "length") << type;
    const reconcile::ParsedPolicy policy = Accepted(run);
    EXPECT_EQ(policy.redis->cluster.has_value(), std::string(type) == "redis-cluster-streams");
    EXPECT_EQ(policy.redis->sentinel.has_value(), std::string(type) == "redis-sentinel-streams");
  }
}

TEST(ConvertRedisCluster, ATriggerOnASecondClusterIsLeftOutAndSaid) {
  const Outcome run = Convert({}, Worker(R"yaml(
  - type: redis-cluster
    metadata: {addresses: "a:6379", listName: one}
  - type: redis-cluster
    metadata: {addresses: "b:6379", listName: two}
)yaml"));
  EXPECT_EQ(run.code, 3);
  EXPECT_THAT(run.err, HasSubstr("a policy reads one redis-cluster server (cluster a:6379)"));
}

// ---- `...FromEnv` from the target given in the same run ----

// KEDA's e2e tests give the scale target beside the ScaledObject: its first container's (or
// envSourceContainerName's) env holds what the `...FromEnv` parameters name.
std::string WorkerDeployment(const std::string& containers) {
  return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: worker, namespace: my-project}\n"
         "spec:\n  template:\n    spec:\n      containers:\n" +
         containers;
}

TEST(ConvertFromEnv, AValueInTheTargetsEnvIsTheParametersValue) {
  const Outcome run = Convert({}, Worker(R"yaml(
  - type: redis-cluster
    metadata: {addressesFromEnv: REDIS_ADDRESSES, listName: jobs, listLength: "5"}
    authenticationRef: {name: redis-auth}
)yaml",
                                         WorkerDeployment(R"yaml(
      - name: worker
        env:
        - {name: REDIS_ADDRESSES, value: "r1:6379, r2:6379"}
)yaml") + "---\napiVersion: keda.sh/v1alpha1\nkind: TriggerAuthentication\n"
          "metadata: {name: redis-auth, namespace: "
          "my-project}\nspec: {secretTargetRef: "
          "[{parameter: password, name: redis, key: "
          "password}]}\n"));
  ASSERT_EQ(run.code, 0) << run.err;
  const auto p = Accepted(run);
  ASSERT_TRUE(p.redis && p.redis->cluster);
  EXPECT_EQ(p.redis->cluster->addresses, (std::vector<std::string>{"r1:6379", "r2:6379"}));
  EXPECT_EQ(p.redis->password->name, "redis");
}

// A Secret key (valueFrom.secretKeyRef, or envFrom's Secret with its prefix) is a Secret
// reference; a value written in the Deployment is not copied into the policy as a credential.
TEST(ConvertFromEnv, ASecretKeyInTheTargetsEnvIsASecretReference) {
  const Outcome run = Convert({}, Worker(R"yaml(
  - type: redis
    metadata: {hostFromEnv: REDIS_HOST, portFromEnv: REDIS_PORT, passwordFromEnv: REDIS_PASSWORD, listName: jobs}
)yaml",
                                         WorkerDeployment(R"yaml(
      - name: worker
        env:
        - {name: REDIS_HOST, value: redis.my-project.svc}
        - name: REDIS_PASSWORD
          valueFrom: {secretKeyRef: {name: redis-creds, key: password}}
        envFrom:
        - {prefix: REDIS_, secretRef: {name: redis-conn}}
)yaml")));
  ASSERT_EQ(run.code, 3) << run.err;  // the port is in Secret redis-conn: the URL needs its value
  EXPECT_THAT(run.err, HasSubstr("parameter port (Secret redis-conn key PORT)"));
  const auto p = Accepted(run);
  ASSERT_TRUE(p.redis && p.redis->password);
  EXPECT_EQ(p.redis->password->name, "redis-creds");
  EXPECT_EQ(p.redis->password->key, "password");
  EXPECT_EQ(run.out.find("redis.example.invalid"), std::string::npos) << run.out;
  const Outcome literal = Convert({}, Worker(R"yaml(
  - type: redis
    metadata: {address: "redis:6379", passwordFromEnv: REDIS_PASSWORD, listName: jobs}
)yaml",
                                             WorkerDeployment(R"yaml(
      - name: worker
        env: [{name: REDIS_PASSWORD, value: hunter2}]
)yaml")));
  EXPECT_EQ(literal.code, 3);
  EXPECT_THAT(literal.err, HasSubstr("KEDA took the password from the target's environment"));
  EXPECT_EQ(literal.out.find("hunter2"), std::string::npos);
}

TEST(ConvertFromEnv, EnvSourceContainerNamePicksTheContainerAndAnotherTargetIsNotRead) {
  const std::string deployment = WorkerDeployment(R"yaml(
      - name: sidecar
        env: [{name: PG_HOST, value: wrong}]
      - name: app
        env: [{name: PG_HOST, value: pg.my-project.svc}]
)yaml");
  const std::string trigger = R"yaml(
  - type: postgresql
    metadata: {hostFromEnv: PG_HOST, userName: reader, dbName: app, query: "SELECT 1", targetQueryValue: "1"}
)yaml";
  std::string so = Worker(trigger, deployment);
  so.replace(so.find("scaleTargetRef: {name: worker}"), 30,
             "scaleTargetRef: {name: worker, envSourceContainerName: app}");
  const Outcome run = Convert({}, so);
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(Output(run)["spec"]["sources"]["postgresql"]["host"].as<std::string>(),
            "pg.my-project.svc");
  // The same Deployment in another namespace is not the target.
  std::string elsewhere = deployment;
  elsewhere.replace(elsewhere.find("namespace: my-project"), 21, "namespace: other");
  const Outcome other = Convert({}, Worker(trigger, elsewhere));
  EXPECT_EQ(other.code, 3) << other.err;
  EXPECT_THAT(other.err, HasSubstr("a placeholder: KEDA read the connection string"));
}

}  // namespace
}  // namespace gearbox::convert::testing
