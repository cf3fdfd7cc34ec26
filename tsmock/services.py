"""The services tsmock answers, each described once.

A request takes one path whatever its service::

    intercept ──▶ protocol ──▶ dispatch ──▶ backend of the service
    (botocore     (decode and   (faults, call log,
     events)       shape checks  the service's
                   from the      handler table)
                   service's
                   botocore model)

Interception, the protocol, fault injection and the call log are generic: they
read everything service-specific from the `Service` registered here. Adding a
service (``timestream-query``) therefore takes three things and no new
interception code:

1. a backend under ``tsmock/backend/`` (plain Python, typed errors of
   ``tsmock/backend/errors.py``);
2. a module (e.g. ``tsmock/handlers/query.py``) with ``HANDLERS``, a
   ``dict[str, Handler]`` from each AWS operation name of the service's botocore
   model to ``handler(backend, params) -> result members``, and
   ``new_backend(state, account_id, region_name)``, which builds the backend of
   one account and region; it may reach other services' backends of the same
   account and region through ``state.backend_of(service, region, account)``
   (the query backend reads the tables of ``state.backend(region, account)``);
3. one `register` call below, naming the botocore service, the endpoint prefix of
   its model, the host names of its endpoint rules and that module.

An activation answers the services in its ``MockState.services``
(``mock_timestream_write``: only ``timestream-write``); requests of every other
service pass through untouched.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.model import ServiceModel

#: One operation of a service: the backend of the caller's account and region and
#: the request members (already checked against the model) to the result members.
Handler = Callable[[Any, dict[str, Any]], dict[str, Any]]
#: Builds the backend of one account and region: ``(state, account_id, region_name)``,
#: the state being the activation's ``tsmock.state.MockState`` (typed ``Any`` here:
#: the state knows the services, not the other way round).
BackendFactory = Callable[[Any, str, str], Any]


@dataclass(frozen=True)
class Service:
    """One AWS service tsmock can answer.

    Cheap to build: the model, the handler table and the backend module load on
    first use, so that importing tsmock and starting a mock stay fast.
    """

    #: The botocore service name (``boto3.client(name)``, event names).
    name: str
    #: ``metadata.endpointPrefix`` of the model: what botocore's ``Endpoint`` carries.
    endpoint_prefix: str
    #: A regular expression of every host name the service's endpoint rules give
    #: (regional, FIPS, dual-stack, China, discovered cells), with a ``region`` group.
    host_name: str
    #: The module holding ``HANDLERS`` and ``new_backend`` (imported on first use).
    implementation: str

    @cached_property
    def model(self) -> ServiceModel:
        """The botocore model of the service (loaded once, through botocore's loader)."""
        from tsmock import shapes

        return shapes.service_model(self.name)

    @cached_property
    def _implementation(self) -> Any:
        return importlib.import_module(self.implementation)

    @property
    def handlers(self) -> Mapping[str, Handler]:
        """Operation name -> handler."""
        handlers: Mapping[str, Handler] = self._implementation.HANDLERS
        return handlers

    def new_backend(self, state: Any, account_id: str, region_name: str) -> Any:
        """The backend of one account and region, newly built for ``state``."""
        return self._implementation.new_backend(state, account_id, region_name)


#: Every registered service by botocore name, in registration order.
SERVICES: dict[str, Service] = {}

WRITE = "timestream-write"
QUERY = "timestream-query"


def register(service: Service) -> Service:
    """Make a service known to interception, dispatch, faults and the call log.

    Register before the first ``import tsmock`` completes (that is, in this
    module), so that botocore's built-in handlers include the service's.
    """
    SERVICES[service.name] = service
    return service


def service(name: str) -> Service:
    """The registered service of a botocore name (KeyError if none)."""
    return SERVICES[name]


register(
    Service(
        name=WRITE,
        endpoint_prefix="ingest.timestream",
        host_name=(
            r"(?:ingest(?:-cell\d+)?\.timestream(?:-fips)?|timestream-ingest(?:-fips)?)"
            r"\.(?P<region>[a-z0-9-]+)"
            r"\.(?:amazonaws\.com(?:\.cn)?|api\.aws|api\.amazonwebservices\.com\.cn)"
        ),
        implementation="tsmock.handlers.write",
    )
)


register(
    Service(
        name=QUERY,
        endpoint_prefix="query.timestream",
        host_name=(
            r"(?:query(?:-cell\d+)?\.timestream(?:-fips)?|timestream-query(?:-fips)?)"
            r"\.(?P<region>[a-z0-9-]+)"
            r"\.(?:amazonaws\.com(?:\.cn)?|api\.aws|api\.amazonwebservices\.com\.cn)"
        ),
        implementation="tsmock.handlers.query",
    )
)
