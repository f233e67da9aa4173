"""The metrics adapter's answers (metrics_adapter.py), without a server or a cluster: the shapes
the HPA and Gearbox decode, metrics-server's window semantics, label selectors, the external
metrics from a stand-in Prometheus; and one HTTPS round trip on loopback."""
import json
import socket
import ssl
import unittest
import urllib.request

import autoscalers
import metrics_adapter as ma

NS = "q-flash-s1-x10-hpa-cpu70"
APP = {"app": "app"}


def usage_at(samples, resolution=3.0):
    """A PodUsage fed [(t, ns, [(pod, labels, millicores)])]."""
    u = ma.PodUsage(resolution)
    for t, ns, pods in samples:
        u.record(ns, pods, now=t)
    return u


class PodMetricsTest(unittest.TestCase):
    def adapter(self, usage, now):
        return ma.Adapter(usage, {}, query=None, clock=lambda: now)

    def test_a_pod_reports_its_mean_over_the_last_whole_window(self):
        u = usage_at([(t, NS, [("a", APP, m)]) for t, m in
                      [(100.0, 10), (101.0, 40), (102.0, 50), (103.0, 60), (104.0, 90)]])
        # now 104.5: the last whole window is [99, 102), which began before the pod's first
        # sample (100): no whole window yet, no metrics (metrics-server needs two scrapes)
        self.assertEqual(u.items(NS, "", now=104.5), [])
        # now 105.5: window [102, 105): 50, 60, 90
        (item,) = u.items(NS, "", now=105.5)
        self.assertEqual(item["containers"][0]["usage"]["cpu"], f"{round(200 / 3 * 1e6)}n")
        self.assertEqual(item["timestamp"], ma.rfc3339(105.0))
        self.assertEqual(item["window"], "3s")

    def test_the_list_has_the_shape_the_hpa_and_gearbox_decode(self):
        u = usage_at([(t, NS, [("a", APP, 70), ("b", APP, 30)]) for t in (90.0, 91.0, 92.0, 93.0, 94.0)])
        code, body = self.adapter(u, 96.5).handle(f"/apis/metrics.k8s.io/v1beta1/namespaces/{NS}/pods",
                                                  "labelSelector=app%3Dapp")
        self.assertEqual(code, 200)
        self.assertEqual((body["kind"], body["apiVersion"]), ("PodMetricsList", "metrics.k8s.io/v1beta1"))
        self.assertEqual([i["metadata"]["name"] for i in body["items"]], ["a", "b"])
        item = body["items"][0]
        self.assertEqual(item["metadata"]["namespace"], NS)
        self.assertEqual(item["containers"][0]["usage"]["cpu"], "70000000n")
        self.assertTrue(item["containers"][0]["usage"]["memory"].endswith("Ki"))
        json.dumps(body)  # serializable as it is

    def test_the_selector_filters_and_a_missing_namespace_is_empty(self):
        u = usage_at([(t, NS, [("a", APP, 70), ("w", {"app": "worker"}, 30)]) for t in (90.0, 94.0)])
        a = self.adapter(u, 96.5)
        _, body = a.handle(f"/apis/metrics.k8s.io/v1beta1/namespaces/{NS}/pods", "labelSelector=app%3Dworker")
        self.assertEqual([i["metadata"]["name"] for i in body["items"]], ["w"])
        _, body = a.handle("/apis/metrics.k8s.io/v1beta1/namespaces/q-other/pods")
        self.assertEqual(body["items"], [])

    def test_a_pod_gone_from_the_record_is_gone_from_the_answers(self):
        u = usage_at([(90.0, NS, [("a", APP, 70), ("b", APP, 70)]), (94.0, NS, [("a", APP, 70)])])
        self.assertEqual([i["metadata"]["name"] for i in u.items(NS, "", now=96.5)], ["a"])

    def test_one_pod_and_its_absence(self):
        u = usage_at([(t, NS, [("a", APP, 70)]) for t in (90.0, 94.0)])
        a = self.adapter(u, 96.5)
        code, body = a.handle(f"/apis/metrics.k8s.io/v1beta1/namespaces/{NS}/pods/a")
        self.assertEqual((code, body["kind"], body["metadata"]["name"]), (200, "PodMetrics", "a"))
        code, body = a.handle(f"/apis/metrics.k8s.io/v1beta1/namespaces/{NS}/pods/zz")
        self.assertEqual((code, body["kind"], body["reason"]), (404, "Status", "NotFound"))

    def test_discovery_lists_both_resources(self):
        code, body = self.adapter(ma.PodUsage(3.0), 0).handle("/apis/metrics.k8s.io/v1beta1")
        self.assertEqual(code, 200)
        self.assertEqual(body["groupVersion"], "metrics.k8s.io/v1beta1")
        self.assertEqual({r["name"]: r["kind"] for r in body["resources"]},
                         {"pods": "PodMetrics", "nodes": "NodeMetrics"})


class SelectorTest(unittest.TestCase):
    def test_equality_and_set_requirements(self):
        labels = {"app": "app", "tier": "web"}
        self.assertTrue(ma.matches("app=app,tier in (web, api)", labels))
        self.assertTrue(ma.matches("app==app,tier!=db,!missing", labels))
        self.assertFalse(ma.matches("app=worker", labels))
        self.assertFalse(ma.matches("tier notin (web)", labels))
        self.assertFalse(ma.matches("missing", labels))
        self.assertTrue(ma.matches("", labels))


class ExternalTest(unittest.TestCase):
    RULES = {"requests-per-second": 'sum(rate(quality_requests_total{namespace="$NAMESPACE"}[12s]))'}

    def test_the_value_of_the_rules_query_for_the_namespace(self):
        asked = []
        a = ma.Adapter(ma.PodUsage(3.0), self.RULES, query=lambda q: asked.append(q) or 241.25,
                       clock=lambda: 1000.0)
        code, body = a.handle(f"/apis/external.metrics.k8s.io/v1beta1/namespaces/{NS}/requests-per-second")
        self.assertEqual(code, 200)
        self.assertEqual(asked, [f'sum(rate(quality_requests_total{{namespace="{NS}"}}[12s]))'])
        self.assertEqual((body["kind"], body["apiVersion"]),
                         ("ExternalMetricValueList", "external.metrics.k8s.io/v1beta1"))
        self.assertEqual(body["items"], [{"metricName": "requests-per-second", "metricLabels": {},
                                          "timestamp": ma.rfc3339(1000.0), "value": "241250m"}])

    def test_no_value_is_an_empty_list_and_an_unknown_metric_is_not_found(self):
        a = ma.Adapter(ma.PodUsage(3.0), self.RULES, query=lambda q: None)
        code, body = a.handle(f"/apis/external.metrics.k8s.io/v1beta1/namespaces/{NS}/requests-per-second")
        self.assertEqual((code, body["items"]), (200, []))
        code, body = a.handle(f"/apis/external.metrics.k8s.io/v1beta1/namespaces/{NS}/nope")
        self.assertEqual((code, body["reason"]), (404, "NotFound"))

    def test_prometheus_unreachable_is_unavailable(self):
        def down(_):
            raise OSError("connection refused")
        code, body = ma.Adapter(ma.PodUsage(3.0), self.RULES, query=down).handle(
            f"/apis/external.metrics.k8s.io/v1beta1/namespaces/{NS}/requests-per-second")
        self.assertEqual((code, body["reason"]), (503, "ServiceUnavailable"))

    def test_the_adapter_reads_the_production_policys_own_queries(self):
        """hpa-same-metric reads exactly what gearbox-prod's demand rule reads, at its target."""
        timing = autoscalers.Timing(5)
        rules = autoscalers.external_rules(timing)
        for target, metric, external in (("app", "requestRate", "requests-per-second"),
                                         ("worker", "jobRate", "jobs-per-second")):
            prod = autoscalers.load("gearbox-prod", target, "$NAMESPACE", timing)
            query = next(m["prometheus"]["query"] for m in prod["spec"]["metrics"] if m["name"] == metric)
            self.assertEqual(rules[external], query)
            rule = next(r for r in prod["spec"]["components"][0]["scaleUp"]["anyOf"] if r["metric"] == metric)
            hpa = autoscalers.load("hpa-same-metric", target, "ns", timing)
            (m,) = hpa["spec"]["metrics"]
            self.assertEqual(m["external"]["metric"]["name"], external)
            self.assertEqual(float(m["external"]["target"]["averageValue"]), rule["target"])


class ServeTest(unittest.TestCase):
    def test_an_https_round_trip(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        u = usage_at([(t, NS, [("a", APP, 50)]) for t in (90.0, 94.0)])
        server = ma.serve(ma.Adapter(u, {}, query=None, clock=lambda: 96.5), port)
        try:
            ctx = ssl.create_default_context()
            ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE   # as the APIService
            url = f"https://127.0.0.1:{port}/apis/metrics.k8s.io/v1beta1/namespaces/{NS}/pods"
            with urllib.request.urlopen(url, context=ctx, timeout=5) as r:
                self.assertEqual(r.headers["Content-Type"], "application/json")
                body = json.load(r)
            self.assertEqual(body["kind"], "PodMetricsList")
        finally:
            server.shutdown()
            server.server_close()


if __name__ == "__main__":
    unittest.main()
