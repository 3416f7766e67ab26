"""Load a realistic demo data set into a running SAP: what `make demo` does.

Everything goes through the public API behind the gateway, as any client
would send it. A demo user registers (or signs in again), then the script
loads 20 empresas and 60 proyectos across Bolivia's departamentos and
sectors, each proyecto's monthly plan (one version, some with a
reprogramación) and its seguimiento up to the last closed month. Some
proyectos are on time, some late, some paralizados, a few concluidos and a
few not started yet, so every colour of the semáforo shows up.

Names are invented. The data come from a fixed seed, so every run asks for
the same records; what already exists (the same NIT, código or month) is
left alone, and running the script again adds nothing. Dates are laid out
around today when a proyecto is created; its plan and seguimiento are then
always worked out from the dates the proyecto has in SAP, so a later run
(even months later) only adds the months that have closed since.

Usage, once ``make up`` answers: ``make demo`` (``.venv/bin/python
ops/demo.py``). ``DEMO_PASSWORD`` sets the demo user's password (default
``DEFAULT_PASSWORD`` below, for a local demo only); ``SAP_GATEWAY_PORT``
the gateway's port (default: the port the running stack was started with,
else 8000).
"""

import calendar
import json
import logging
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import httpx
from stack import RUNNING_SETTINGS

logger = logging.getLogger("demo")

# Changing the seed changes every generated figure; existing data would no
# longer match what the script expects, so keep it fixed.
SEED = 2026
USERNAME = "demo"
EMAIL = "demo@example.com"
# A local demo's password, documented in the README; set DEMO_PASSWORD for
# anything shared.
DEFAULT_PASSWORD = "Demo-Sajama-2026"
CODIGO_PREFIX = "DEMO-"
CENTRO_DE_SALUD = "Construcción Nuevo Centro de Salud"
DEFAULT_GATEWAY_PORT = "8000"
CONNECT_TIMEOUT = 2.0
# A write to programación waits for its own call to proyectos (3 s read
# timeout) on top of its own work.
READ_TIMEOUT = 15.0

READINESS_PATHS = (
    "/health/",
    "/auth/ready/",
    "/empresas/ready/",
    "/proyectos/ready/",
    "/programacion/ready/",
)

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
INITIAL_MOTIVO = "Programación inicial"

# How a proyecto behaves, and the semáforo that behaviour earns in C.
ON_TIME = "on_time"
SLIGHTLY_LATE = "slightly_late"
LATE = "late"
REPLANNED = "replanned"
STALLED = "stalled"
FINISHED = "finished"
NOT_STARTED = "not_started"
EXPECTED_SEMAFORO = {
    ON_TIME: "VERDE",
    SLIGHTLY_LATE: "AMARILLO",
    LATE: "ROJO",
    REPLANNED: "VERDE",
    STALLED: "ROJO",
    FINISHED: "VERDE",
    NOT_STARTED: "SIN_DATOS",
}
# The 59 proyectos besides the Centro de Salud, by behaviour.
PROFILE_COUNTS = {
    ON_TIME: 20,
    SLIGHTLY_LATE: 8,
    LATE: 6,
    REPLANNED: 8,
    STALLED: 5,
    FINISHED: 6,
    NOT_STARTED: 6,
}
# Share of the planned progress done by the last reported month.
PACE = {
    ON_TIME: (0.98, 1.03),
    SLIGHTLY_LATE: (0.88, 0.92),
    LATE: (0.60, 0.78),
    REPLANNED: (0.97, 1.01),
    STALLED: (0.55, 0.80),
}
# Random wobble of the pace, month by month; small enough that no proyecto
# crosses into another semáforo colour.
PACE_NOISE = 0.01

DEPARTAMENTOS = {
    "LA_PAZ": (
        "La Paz",
        [
            ("Murillo", "La Paz"),
            ("Murillo", "El Alto"),
            ("Omasuyos", "Achacachi"),
            ("Ingavi", "Viacha"),
            ("Caranavi", "Caranavi"),
        ],
    ),
    "COCHABAMBA": (
        "Cochabamba",
        [
            ("Cercado", "Cochabamba"),
            ("Quillacollo", "Quillacollo"),
            ("Chapare", "Villa Tunari"),
            ("Punata", "Punata"),
        ],
    ),
    "SANTA_CRUZ": (
        "Santa Cruz",
        [
            ("Andrés Ibáñez", "Santa Cruz de la Sierra"),
            ("Warnes", "Warnes"),
            ("Ichilo", "Buena Vista"),
            ("Chiquitos", "San José de Chiquitos"),
            ("Cordillera", "Camiri"),
        ],
    ),
    "ORURO": (
        "Oruro",
        [("Cercado", "Oruro"), ("Sajama", "Curahuara de Carangas"), ("Poopó", "Poopó")],
    ),
    "POTOSI": (
        "Potosí",
        [
            ("Tomás Frías", "Potosí"),
            ("Antonio Quijarro", "Uyuni"),
            ("Rafael Bustillo", "Llallagua"),
        ],
    ),
    "CHUQUISACA": (
        "Chuquisaca",
        [("Oropeza", "Sucre"), ("Yamparáez", "Tarabuco"), ("Nor Cinti", "Camargo")],
    ),
    "TARIJA": (
        "Tarija",
        [("Cercado", "Tarija"), ("Gran Chaco", "Yacuiba"), ("Arce", "Bermejo")],
    ),
    "BENI": (
        "Beni",
        [
            ("Cercado", "Trinidad"),
            ("Vaca Díez", "Riberalta"),
            ("Moxos", "San Ignacio de Moxos"),
        ],
    ),
    "PANDO": (
        "Pando",
        [("Nicolás Suárez", "Cobija"), ("Nicolás Suárez", "Porvenir")],
    ),
}

# Invented companies: razón social, tipo, departamento and the sectors they
# build for. Any likeness to a real company is a coincidence.
EMPRESAS = [
    ("Constructora Qhantati Andina S.R.L.", "SRL", "LA_PAZ", ["SALUD", "EDUCACION"]),
    ("Ingeniería Vial Tunupa S.A.", "SA", "ORURO", ["TRANSPORTE"]),
    ("Obras y Servicios Chaski Ñan S.R.L.", "SRL", "POTOSI", ["TRANSPORTE", "OTROS"]),
    (
        "Consorcio Puente Jach'a Uma",
        "ASOCIACION_ACCIDENTAL",
        "LA_PAZ",
        ["TRANSPORTE"],
    ),
    (
        "Empresa Constructora Mururata S.R.L.",
        "SRL",
        "LA_PAZ",
        ["VIVIENDA", "EDUCACION"],
    ),
    ("Hidrosanitaria Yaku Pampa S.R.L.", "SRL", "COCHABAMBA", ["SANEAMIENTO_BASICO"]),
    ("Electro Rural Inti Sapa S.A.", "SA", "COCHABAMBA", ["ENERGIA"]),
    (
        "Constructora Oriental Guapay Ichilo S.A.",
        "SA",
        "SANTA_CRUZ",
        ["TRANSPORTE", "VIVIENDA"],
    ),
    ("Agroriego Valle Kjarkas S.R.L.", "SRL", "COCHABAMBA", ["AGROPECUARIO"]),
    (
        "Estructuras Quimsa Cruz S.R.L.",
        "SRL",
        "LA_PAZ",
        ["SALUD", "OTROS", "EDUCACION"],
    ),
    (
        "Consorcio Salud Integral Chuquiago",
        "ASOCIACION_ACCIDENTAL",
        "LA_PAZ",
        ["SALUD"],
    ),
    (
        "Constructora Unipersonal Wila Kollu",
        "UNIPERSONAL",
        "ORURO",
        ["SANEAMIENTO_BASICO", "VIVIENDA"],
    ),
    ("Vías del Chaco Kaa Iya S.A.", "SA", "TARIJA", ["TRANSPORTE"]),
    (
        "Pavimentos Altiplano Sur S.R.L.",
        "SRL",
        "POTOSI",
        ["TRANSPORTE", "SANEAMIENTO_BASICO"],
    ),
    ("Edifica Charcas S.R.L.", "SRL", "CHUQUISACA", ["EDUCACION", "SALUD", "OTROS"]),
    (
        "Ingeniería Amazónica Mamoré Bajo S.R.L.",
        "SRL",
        "BENI",
        ["SANEAMIENTO_BASICO", "ENERGIA", "EDUCACION"],
    ),
    (
        "Construcciones Pilcomayo Alto S.R.L.",
        "SRL",
        "CHUQUISACA",
        ["AGROPECUARIO", "SANEAMIENTO_BASICO"],
    ),
    (
        "Consorcio Vivienda Nueva Tajibo",
        "ASOCIACION_ACCIDENTAL",
        "SANTA_CRUZ",
        ["VIVIENDA"],
    ),
    ("Energía y Redes Churquis S.A.", "SA", "TARIJA", ["ENERGIA"]),
    (
        "Riegos y Obras Apacheta S.R.L.",
        "SRL",
        "PANDO",
        ["AGROPECUARIO", "SANEAMIENTO_BASICO", "EDUCACION"],
    ),
]
# First digit of a landline number in each departamento.
AREA_CODES = {
    "LA_PAZ": 2, "ORURO": 2, "POTOSI": 2, "SANTA_CRUZ": 3, "BENI": 3, "PANDO": 3,
    "COCHABAMBA": 4, "CHUQUISACA": 4, "TARIJA": 4,
}  # fmt: skip
NOMBRES = [
    "Rosa", "Julio", "Marcela", "Fernando", "Ximena", "Édgar", "Carla",
    "Wilfredo", "Lidia", "Gonzalo", "Patricia", "René", "Sonia", "Álvaro",
]  # fmt: skip
APELLIDOS = [
    "Mamani", "Quispe", "Choque", "Flores", "Vargas", "Rojas", "Condori",
    "Gutiérrez", "Arce", "Salazar", "Huanca", "Paredes", "Cuéllar", "Villca",
]  # fmt: skip
COMUNIDADES = [
    "Villa Esperanza", "San Isidro", "Santa Rosa", "Pampa Grande", "Jatun Pampa",
    "Loma Alta", "Tres Cruces", "Agua Dulce", "Nueva Palmira", "Cañadón Verde",
    "Pucara Chico", "Villa Victoria", "Chijini Alto", "Kantuta", "Collpa Uma",
    "Puerto Alegre", "Lagunillas del Norte", "Santa Bárbara", "Chaupi Loma",
    "San Antonio del Valle", "Villa Porvenir", "Jaruma", "Ayllu Kellu",
]  # fmt: skip
RIOS = ["Río Seco", "Río Blanco", "Río Negro", "Río Chaqui Mayu", "Río Kellu"]
NOMBRES_POR_SECTOR = {
    "SALUD": [
        "Construcción Centro de Salud Integral {municipio}",
        "Ampliación Hospital de Segundo Nivel {municipio}",
        "Construcción Puesto de Salud {comunidad}",
        "Equipamiento Centro de Salud {comunidad}",
    ],
    "EDUCACION": [
        "Construcción Unidad Educativa {comunidad}",
        "Ampliación Unidad Educativa {comunidad} ({municipio})",
        "Construcción Instituto Tecnológico {municipio}",
        "Refacción Unidad Educativa {comunidad}",
    ],
    "TRANSPORTE": [
        "Mejoramiento Camino Vecinal {comunidad} – {municipio}",
        "Construcción Puente Vehicular {rio} ({municipio})",
        "Pavimentación Avenida Principal {municipio}",
        "Construcción Carretera {municipio} – {comunidad}",
    ],
    "SANEAMIENTO_BASICO": [
        "Ampliación Sistema de Agua Potable {municipio}",
        "Construcción Alcantarillado Sanitario {comunidad}",
        "Construcción Planta de Tratamiento de Aguas Residuales {municipio}",
        "Perforación de Pozo y Tanque Elevado {comunidad}",
    ],
    "ENERGIA": [
        "Electrificación Rural {comunidad}",
        "Extensión de Red Eléctrica Trifásica {municipio}",
        "Alumbrado Público Avenida Principal {municipio}",
    ],
    "AGROPECUARIO": [
        "Construcción Sistema de Riego {comunidad}",
        "Construcción Represa {comunidad}",
        "Mejoramiento Centro de Acopio Lechero {municipio}",
    ],
    "VIVIENDA": [
        "Construcción de Viviendas Sociales {municipio}",
        "Mejoramiento de Vivienda {comunidad}",
    ],
    "OTROS": [
        "Construcción Mercado Municipal {municipio}",
        "Construcción Coliseo Cerrado {comunidad}",
        "Construcción Terminal de Buses {municipio}",
    ],
}
DESCRIPCION_POR_SECTOR = {
    "SALUD": "Infraestructura y equipamiento de salud para la población del área.",
    "EDUCACION": "Aulas, laboratorios y servicios higiénicos para estudiantes.",
    "TRANSPORTE": "Obras viales para mejorar la transitabilidad todo el año.",
    "SANEAMIENTO_BASICO": "Agua segura y saneamiento para las familias del área.",
    "ENERGIA": "Acceso a energía eléctrica para hogares y unidades productivas.",
    "AGROPECUARIO": "Infraestructura productiva para pequeños productores.",
    "VIVIENDA": "Viviendas dignas para familias de bajos ingresos.",
    "OTROS": "Equipamiento urbano para la comunidad.",
}
# Lowest and highest monto_total of a proyecto of each sector, in bolivianos.
MONTOS_POR_SECTOR = {
    "SALUD": (3_000_000, 25_000_000),
    "EDUCACION": (1_500_000, 9_000_000),
    "TRANSPORTE": (4_000_000, 60_000_000),
    "SANEAMIENTO_BASICO": (800_000, 15_000_000),
    "ENERGIA": (1_000_000, 12_000_000),
    "AGROPECUARIO": (600_000, 8_000_000),
    "VIVIENDA": (2_000_000, 20_000_000),
    "OTROS": (1_000_000, 6_000_000),
}
SECTOR_COUNTS = {
    "SALUD": 7,
    "EDUCACION": 10,
    "TRANSPORTE": 10,
    "SANEAMIENTO_BASICO": 10,
    "ENERGIA": 6,
    "AGROPECUARIO": 7,
    "VIVIENDA": 5,
    "OTROS": 4,
}
FUENTES = ["TGN", "RECURSOS_PROPIOS", "CREDITO_EXTERNO", "DONACION"]
FUENTE_WEIGHTS = [5, 4, 2, 1]
MOTIVOS_REPROGRAMACION = [
    "Ampliación de plazo por lluvias extraordinarias (orden de cambio N.º 2).",
    "Modificación del diseño estructural aprobada por la supervisión.",
    "Retraso en la liberación del derecho de vía; se redistribuye el avance.",
    "Demora en la importación de equipos; ampliación de plazo aprobada.",
]
OBSERVACIONES = {
    "normal": [
        "Avance conforme a cronograma.",
        "Trabajos ejecutados según lo programado.",
        "Sin observaciones de la supervisión.",
    ],
    "late": [
        "Retraso por lluvias en la zona.",
        "Demora en la provisión de cemento y fierro.",
        "Rendimiento de la cuadrilla menor al previsto.",
        "Observaciones de la supervisión pendientes de subsanar.",
    ],
    "stopped": "Obra paralizada por falta de desembolso; se notificó a la empresa.",
    "finished": "Obra concluida; acta de recepción provisional firmada.",
}


class DemoError(Exception):
    """The demo could not go on; the message says what to do."""


@dataclass(frozen=True)
class EmpresaSpec:
    """One invented empresa, as the demo registers it."""

    nit: str
    razon_social: str
    sigla: str
    tipo: str
    departamento: str
    municipio: str
    representante_legal: str
    ci_representante: str
    telefono: str
    email: str
    sectores: tuple[str, ...]

    def payload(self) -> dict:
        """The body of ``POST /empresas/``."""
        return {
            "nit": self.nit,
            "razon_social": self.razon_social,
            "sigla": self.sigla,
            "tipo": self.tipo,
            "representante_legal": self.representante_legal,
            "ci_representante": self.ci_representante,
            "direccion": f"Av. Principal N.º {int(self.nit[-3:])}",
            "departamento": self.departamento,
            "municipio": self.municipio,
            "telefono": self.telefono,
            "email": self.email,
        }


@dataclass(frozen=True)
class ProyectoSpec:
    """One invented proyecto and how its work goes.

    ``months`` is the planned duration; ``reported`` how many months have
    been reported when it is created (the months from its start to the last
    closed one); ``pace`` the share of the plan done by then. ``extension``
    is how many months a reprogramación added; ``stopped_before`` how many
    months before the last closed one a paralizado proyecto stopped;
    ``offset`` how many months ago a finished proyecto ended, or in how many
    months one not started yet begins; ``delay`` how many months late a
    finished one ended.
    """

    codigo: str
    nombre: str
    sector: str
    departamento: str
    provincia: str
    municipio: str
    empresa_nit: str
    entidad_ejecutora: str
    monto_total: Decimal
    fuente_financiamiento: str
    fase: str
    profile: str
    months: int
    reported: int = 0
    pace: float = 1.0
    cost_factor: float = 1.0
    extension: int = 0
    stopped_before: int = 0
    offset: int = 0
    delay: int = 0
    start_day: int = 1
    end_day: int = 28
    descripcion: str = ""


# --- Months and money -------------------------------------------------------


def to_cents(value: Decimal) -> Decimal:
    """Two decimal places, halves up, as the API stores amounts."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def as_text(value: Decimal) -> str:
    """A Decimal as the API expects it: a string with two decimals."""
    return f"{to_cents(value):.2f}"


def add_months(period: tuple[int, int], count: int) -> tuple[int, int]:
    """The (year, month) ``count`` months after ``period`` (before, if < 0)."""
    index = period[0] * 12 + period[1] - 1 + count
    return (index // 12, index % 12 + 1)


def months_between(first: tuple[int, int], last: tuple[int, int]) -> list:
    """Every (year, month) from ``first`` to ``last``, both included."""
    count = (last[0] - first[0]) * 12 + last[1] - first[1] + 1
    return [add_months(first, i) for i in range(count)]


def period_of(day: date) -> tuple[int, int]:
    return (day.year, day.month)


def last_closed_month(today: date) -> tuple[int, int]:
    """The latest month whose seguimiento can be reported: the previous one."""
    return add_months(period_of(today), -1)


def day_in(period: tuple[int, int], day: int) -> date:
    """``day`` of ``period``, or its last day when the month is shorter."""
    last = calendar.monthrange(*period)[1]
    return date(period[0], period[1], min(day, last))


def end_of(period: tuple[int, int]) -> date:
    return day_in(period, 31)


# --- Catalogue: empresas and proyectos --------------------------------------


def _sigla(razon_social: str) -> str:
    words = razon_social.replace("S.R.L.", "SRL").replace("S.A.", "SA").split()
    return "".join(w[0] for w in words if w[0].isupper())[:8]


def _domain(razon_social: str) -> str:
    """An address under .example, a top-level domain reserved for examples."""
    words = [w for w in razon_social.lower().split() if w.isalpha() and len(w) > 3]
    plain = "-".join(words[-2:]).translate(str.maketrans("áéíóúñ", "aeioun"))
    return f"{plain}.example"


def build_empresas(seed: int = SEED) -> list[EmpresaSpec]:
    """The 20 invented empresas, the same for a given seed."""
    rng = random.Random(f"{seed}:empresas")
    empresas = []
    for index, (razon_social, tipo, departamento, sectores) in enumerate(EMPRESAS):
        municipio = DEPARTAMENTOS[departamento][1][0][1]
        representante = " ".join([rng.choice(NOMBRES), *rng.sample(APELLIDOS, 2)])
        empresas.append(
            EmpresaSpec(
                # Ten digits; the leading 47 and the index keep them apart
                # from one another and easy to recognise.
                nit=f"47{index:02d}{rng.randint(100000, 999999)}",
                razon_social=razon_social,
                sigla=_sigla(razon_social),
                tipo=tipo,
                departamento=departamento,
                municipio=municipio,
                representante_legal=representante,
                ci_representante=str(rng.randint(1_000_000, 9_999_999)),
                telefono=f"{AREA_CODES[departamento]}{rng.randint(2000000, 4999999)}",
                email=f"contacto@{_domain(razon_social)}",
                sectores=tuple(sectores),
            )
        )
    return empresas


def _profile_fields(profile: str, rng: random.Random) -> dict:
    """Duration, progress and dates offsets of a proyecto with this behaviour."""
    months = rng.randint(12, 24)
    fields = {
        "profile": profile,
        "months": months,
        "cost_factor": round(rng.uniform(0.95, 1.05), 3),
        "start_day": rng.randint(1, 28),
        "end_day": rng.randint(10, 28),
    }
    if profile in PACE:
        fields["reported"] = rng.randint(3, months - 2)
        fields["pace"] = round(rng.uniform(*PACE[profile]), 3)
    if profile == REPLANNED:
        fields["extension"] = rng.randint(2, 5)
    if profile == STALLED:
        fields["reported"] = rng.randint(6, months - 2)
        fields["stopped_before"] = rng.randint(2, 4)
    if profile == FINISHED:
        fields["offset"] = rng.randint(0, 8)
        fields["delay"] = rng.randint(0, 2)
        fields["cost_factor"] = round(rng.uniform(0.95, 0.995), 3)
    if profile == NOT_STARTED:
        fields["offset"] = rng.randint(1, 4)
    return fields


def _fase(profile: str, rng: random.Random) -> str:
    if profile == FINISHED:
        return rng.choice(["CERRADO", "OPERACION"])
    if profile == NOT_STARTED:
        return rng.choice(["PREINVERSION", "EJECUCION"])
    return "EJECUCION"


def centro_de_salud(empresas: list[EmpresaSpec]) -> ProyectoSpec:
    """The proyecto the README shows: late, with a clear S curve."""
    empresa = next(e for e in empresas if e.sectores == ("SALUD",))
    return ProyectoSpec(
        codigo=f"{CODIGO_PREFIX}0001",
        nombre=CENTRO_DE_SALUD,
        sector="SALUD",
        departamento="LA_PAZ",
        provincia="Murillo",
        municipio="El Alto",
        empresa_nit=empresa.nit,
        entidad_ejecutora="Gobierno Autónomo Municipal de El Alto",
        monto_total=Decimal("14862350.00"),
        fuente_financiamiento="TGN",
        fase="EJECUCION",
        profile=LATE,
        months=18,
        reported=11,
        pace=0.74,
        cost_factor=1.02,
        start_day=6,
        end_day=20,
        descripcion=(
            "Centro de salud de primer nivel con consulta externa, emergencias, "
            "laboratorio, odontología y 20 camas de internación."
        ),
    )


def build_proyectos(empresas: list[EmpresaSpec], seed: int = SEED) -> list:
    """The 60 invented proyectos, the same for a given seed.

    Sectors, departamentos and behaviours are spread over the list; each
    proyecto goes to an empresa that works in its sector.
    """
    rng = random.Random(f"{seed}:proyectos")
    sectors = [s for s, count in SECTOR_COUNTS.items() for _ in range(count)]
    profiles = [p for p, count in PROFILE_COUNTS.items() for _ in range(count)]
    rng.shuffle(sectors)
    rng.shuffle(profiles)
    departamentos = list(DEPARTAMENTOS)
    proyectos = [centro_de_salud(empresas)]
    names = {CENTRO_DE_SALUD}
    for index, (sector, profile) in enumerate(zip(sectors, profiles, strict=True)):
        departamento = departamentos[index % len(departamentos)]
        provincia, municipio = rng.choice(DEPARTAMENTOS[departamento][1])
        nombre = CENTRO_DE_SALUD
        while nombre in names:
            nombre = rng.choice(NOMBRES_POR_SECTOR[sector]).format(
                municipio=municipio,
                comunidad=rng.choice(COMUNIDADES),
                rio=rng.choice(RIOS),
            )
        names.add(nombre)
        if rng.random() < 0.6:
            entidad = f"Gobierno Autónomo Municipal de {municipio}"
        else:
            entidad = (
                f"Gobierno Autónomo Departamental de {DEPARTAMENTOS[departamento][0]}"
            )
        low, high = MONTOS_POR_SECTOR[sector]
        empresa = rng.choice([e for e in empresas if sector in e.sectores])
        proyectos.append(
            ProyectoSpec(
                codigo=f"{CODIGO_PREFIX}{index + 2:04d}",
                nombre=nombre,
                sector=sector,
                departamento=departamento,
                provincia=provincia,
                municipio=municipio,
                empresa_nit=empresa.nit,
                entidad_ejecutora=entidad,
                monto_total=Decimal(rng.randint(low * 100, high * 100)) / 100,
                fuente_financiamiento=rng.choices(FUENTES, FUENTE_WEIGHTS)[0],
                fase=_fase(profile, rng),
                **_profile_fields(profile, rng),
            )
        )
    return proyectos


# --- A proyecto's dates, plan and seguimiento (pure) ------------------------


def proyecto_payload(spec: ProyectoSpec, empresa_id: int, today: date) -> dict:
    """The body of ``POST /proyectos/``, with dates laid out around ``today``.

    Proyectos under way started ``reported`` months before the last closed
    month and end at least a month after this one, so they are not overdue.
    """
    closed = last_closed_month(today)
    fecha_fin_real = None
    if spec.profile == FINISHED:
        real_end = add_months(closed, -spec.offset)
        end = add_months(real_end, -spec.delay)
        start = add_months(end, -(spec.months - 1))
        fecha_fin_real = day_in(real_end, spec.end_day).isoformat()
        estado = "CONCLUIDO"
    elif spec.profile == NOT_STARTED:
        start = add_months(period_of(today), spec.offset)
        end = add_months(start, spec.months - 1)
        estado = "PROGRAMADO"
    else:
        start = add_months(closed, -(spec.reported - 1))
        end = add_months(start, spec.months - 1)
        estado = "PARALIZADO" if spec.profile == STALLED else "EN_EJECUCION"
    return {
        "codigo": spec.codigo,
        "nombre": spec.nombre,
        "descripcion": spec.descripcion or DESCRIPCION_POR_SECTOR[spec.sector],
        "sector": spec.sector,
        "departamento": spec.departamento,
        "provincia": spec.provincia,
        "municipio": spec.municipio,
        "empresa_id": empresa_id,
        "entidad_ejecutora": spec.entidad_ejecutora,
        "monto_total": as_text(spec.monto_total),
        "fuente_financiamiento": spec.fuente_financiamiento,
        "fase": spec.fase,
        "estado": estado,
        "fecha_inicio": day_in(start, spec.start_day).isoformat(),
        "fecha_fin_programada": day_in(end, spec.end_day).isoformat(),
        "fecha_fin_real": fecha_fin_real,
    }


def s_curve(months: int, rng: random.Random) -> list[Decimal]:
    """Monthly shares of the work (%) that add up to exactly 100.00.

    Bell-shaped monthly effort (slow start, peak, slow finish) gives the S
    of the cumulative curve. Rounding the cumulative figures, not the
    monthly ones, keeps every month at zero or more and the total exact.
    """
    rise, fall = rng.uniform(1.3, 2.2), rng.uniform(1.3, 2.2)
    weights = []
    for index in range(months):
        x = (index + 0.5) / months
        weights.append(x ** (rise - 1) * (1 - x) ** (fall - 1) * rng.uniform(0.9, 1.1))
    total = sum(weights)
    cumulative, running = [], 0.0
    for weight in weights:
        running += weight
        cumulative.append(to_cents(Decimal(running / total) * HUNDRED))
    cumulative[-1] = HUNDRED
    return _differences(cumulative)


def _differences(cumulative: list[Decimal]) -> list[Decimal]:
    previous, monthly = Decimal("0"), []
    for value in cumulative:
        monthly.append(value - previous)
        previous = value
    return monthly


def _cumulative(values: list[Decimal]) -> list[Decimal]:
    running, result = Decimal("0"), []
    for value in values:
        running += value
        result.append(running)
    return result


def plan_meses(
    first: tuple[int, int], shares: list[Decimal], monto_total: Decimal
) -> list[dict]:
    """The months of a version: each share of the work and its cost.

    Amounts follow the physical curve and add up to exactly ``monto_total``.
    """
    cumulative = _cumulative(shares)
    amounts = _differences(
        [to_cents(monto_total * share / HUNDRED) for share in cumulative[:-1]]
        + [monto_total]
    )
    return [
        {
            "anio": anio,
            "mes": mes,
            "avance_fisico_programado": as_text(share),
            "monto_programado": as_text(amount),
        }
        for (anio, mes), share, amount in zip(
            months_between(first, add_months(first, len(shares) - 1)),
            shares,
            amounts,
            strict=True,
        )
    ]


def _real_shares(
    spec: ProyectoSpec, planned: list[Decimal], count: int, rng: random.Random
) -> list[Decimal]:
    """Monthly real progress (%) of the first ``count`` months.

    The pace slides from on-plan at the start to ``spec.pace`` at the
    ``reported``-th month, with a small wobble; the cumulative figure never
    falls and never passes 100.
    """
    cumulative_plan = _cumulative(planned)
    cumulative, previous = [], Decimal("0")
    for index in range(count):
        progress = min(1.0, (index + 1) / spec.reported)
        pace = 1 + (spec.pace - 1) * progress + rng.uniform(-PACE_NOISE, PACE_NOISE)
        target = to_cents(cumulative_plan[index] * Decimal(str(round(pace, 4))))
        previous = min(HUNDRED, max(previous, target))
        cumulative.append(previous)
    return _differences(cumulative)


def _executed(
    spec: ProyectoSpec, real: list[Decimal], monto_total: Decimal
) -> list[Decimal]:
    """Monthly amounts paid for that progress, never more than monto_total."""
    factor = Decimal(str(spec.cost_factor))
    cumulative = [
        min(monto_total, to_cents(monto_total * done / HUNDRED * factor))
        for done in _cumulative(real)
    ]
    return _differences(cumulative)


def _observaciones(spec: ProyectoSpec, index: int, count: int, rng) -> str:
    if spec.profile == STALLED and index == count - 1:
        return OBSERVACIONES["stopped"]
    if spec.profile == FINISHED and index == count - 1:
        return OBSERVACIONES["finished"]
    behind = spec.pace < 0.95 and index >= spec.reported // 3
    return rng.choice(OBSERVACIONES["late" if behind else "normal"])


def programacion_for(
    spec: ProyectoSpec,
    fecha_inicio: date,
    fecha_fin_programada: date,
    fecha_fin_real: date | None,
    today: date,
) -> tuple[list[dict], list[dict]]:
    """A proyecto's versions and seguimiento, from the dates it has in SAP.

    Returns the bodies of ``POST .../versiones/`` (in order) and of
    ``POST .../seguimiento/`` (month by month). The plan covers the months
    from ``fecha_inicio`` to ``fecha_fin_programada``; a reprogramación's
    first version covered fewer. Seguimiento runs to the last closed month
    (a paralizado proyecto's stops earlier, a concluido one's at
    ``fecha_fin_real``). A proyecto not started has neither.
    """
    if spec.profile == NOT_STARTED:
        return [], []
    plan_rng = random.Random(f"{SEED}:{spec.codigo}:plan")
    real_rng = random.Random(f"{SEED}:{spec.codigo}:seguimiento")
    # Apart from the figures' generator, so that a month added later does not
    # change the words of the months before it.
    notes_rng = random.Random(f"{SEED}:{spec.codigo}:observaciones")
    first = period_of(fecha_inicio)
    all_months = months_between(first, period_of(fecha_fin_programada))
    planned = s_curve(len(all_months), plan_rng)
    versiones = [{"motivo": INITIAL_MOTIVO, "meses": []}]
    if spec.extension:
        original = s_curve(len(all_months) - spec.extension, plan_rng)
        versiones[0]["meses"] = plan_meses(first, original, spec.monto_total)
        versiones.append({"motivo": plan_rng.choice(MOTIVOS_REPROGRAMACION)})
    versiones[-1]["meses"] = plan_meses(first, planned, spec.monto_total)

    closed = last_closed_month(today)
    if spec.profile == FINISHED:
        months = months_between(first, min(closed, period_of(fecha_fin_real)))
        real = s_curve(len(months), real_rng)
    else:
        until = min(closed, all_months[-1])
        if spec.profile == STALLED:
            until = min(
                until, add_months(first, spec.reported - spec.stopped_before - 1)
            )
        months = months_between(first, until) if until >= first else []
        real = _real_shares(spec, planned, len(months), real_rng)
    executed = _executed(spec, real, spec.monto_total)
    seguimiento = [
        {
            "anio": anio,
            "mes": mes,
            "avance_fisico_real": as_text(done),
            "monto_ejecutado": as_text(paid),
            "fecha_corte": end_of((anio, mes)).isoformat(),
            "observaciones": _observaciones(spec, index, len(months), notes_rng),
        }
        for index, ((anio, mes), done, paid) in enumerate(
            zip(months, real, executed, strict=True)
        )
    ]
    return versiones, seguimiento


# --- Talking to SAP ---------------------------------------------------------


def gateway_base_url() -> str:
    """The gateway as this host reaches it.

    ``SAP_GATEWAY_PORT`` wins; else the port the running stack was started
    with (``make up`` records it); else the default.
    """
    port = os.environ.get("SAP_GATEWAY_PORT")
    if not port and RUNNING_SETTINGS.exists():
        port = json.loads(RUNNING_SETTINGS.read_text()).get("SAP_GATEWAY_PORT")
    return f"http://localhost:{port or DEFAULT_GATEWAY_PORT}"


def _problem(response: httpx.Response) -> str:
    """What an error answer says, for a log line: the API's message and fields."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict) and "mensaje" in body:
        errores = body.get("errores")
        return f"{body['mensaje']} {json.dumps(errores, ensure_ascii=False)}"
    return json.dumps(body, ensure_ascii=False)[:300]


def expect(response: httpx.Response, status: int) -> dict:
    """The JSON body of an answer with ``status``; DemoError otherwise."""
    if response.status_code != status:
        request = response.request
        raise DemoError(
            f"{request.method} {request.url.path} answered "
            f"{response.status_code}: {_problem(response)}"
        )
    return response.json()


def _field_errors(response: httpx.Response) -> dict:
    if response.status_code != httpx.codes.BAD_REQUEST:
        return {}
    body = response.json()
    return body.get("errores") or {} if isinstance(body, dict) else {}


def check_gateway(client: httpx.Client) -> None:
    """Fail with a hint unless the gateway and every service answer."""
    for path in READINESS_PATHS:
        try:
            response = client.get(path)
        except httpx.TransportError as exc:
            raise DemoError(
                f"Nothing answers at {client.base_url}{path} ({exc.__class__.__name__})"
                ": start SAP with `make up` first."
            ) from exc
        if response.status_code != httpx.codes.OK:
            raise DemoError(
                f"{client.base_url}{path} answered {response.status_code}: "
                "check `make status` (or run `make up`)."
            )


def sign_in(client: httpx.Client, password: str) -> str:
    """Register the demo user unless it exists; return an access token."""
    source = (
        "the password in DEMO_PASSWORD"
        if os.environ.get("DEMO_PASSWORD")
        else "the default demo password (DEMO_PASSWORD changes it)"
    )
    logger.info("signing in as %r with %s", USERNAME, source)
    response = client.post(
        "/auth/register/",
        json={"username": USERNAME, "email": EMAIL, "password": password},
    )
    if response.status_code == httpx.codes.CREATED:
        logger.info("registered user %r", USERNAME)
    elif "username" in _field_errors(response):
        logger.info("user %r already exists: signing in", USERNAME)
    else:
        expect(response, httpx.codes.CREATED)
    response = client.post(
        "/auth/token/", json={"username": USERNAME, "password": password}
    )
    if response.status_code == httpx.codes.UNAUTHORIZED:
        raise DemoError(
            f"User {USERNAME!r} exists with another password: set DEMO_PASSWORD "
            "to that password."
        )
    return expect(response, httpx.codes.OK)["access"]


def list_all(client: httpx.Client, path: str, params: dict) -> Iterator[dict]:
    """Every item of a paginated list, page after page.

    Only the path and query of each ``next`` link are followed, on the
    client's own base URL: behind the gateway the links name the host
    without its port (the gateway forwards ``$host``), so as given they
    point at port 80.
    """
    url, query = path, params
    while url:
        page = expect(client.get(url, params=query), httpx.codes.OK)
        yield from page["results"]
        url, query = page["next"], None
        if url:
            url = httpx.URL(url).raw_path.decode("ascii")


def find_one(client: httpx.Client, path: str, field: str, value: str):
    """The item of a list whose ``field`` is exactly ``value``, or None.

    The lists' ``search`` matches parts of words, so the answer is filtered.
    """
    for item in list_all(client, path, {"search": value}):
        if item[field] == value:
            return item
    return None


def ensure_empresas(client: httpx.Client, specs: list) -> tuple[dict, int]:
    """The id of each demo empresa by NIT, registering the missing ones.

    Returns the ids and how many were created now.
    """
    ids, created = {}, 0
    for spec in specs:
        empresa = find_one(client, "/empresas/", "nit", spec.nit)
        if empresa is None:
            response = client.post("/empresas/", json=spec.payload())
            if "nit" in _field_errors(response):
                # Registered by another run going on at the same time.
                empresa = find_one(client, "/empresas/", "nit", spec.nit)
            else:
                empresa = expect(response, httpx.codes.CREATED)
                created += 1
        ids[spec.nit] = empresa["id"]
    return ids, created


def ensure_proyecto(
    client: httpx.Client, spec: ProyectoSpec, empresa_id: int, existing: dict
) -> tuple[dict, bool]:
    """The demo proyecto as SAP has it, created now if missing."""
    if spec.codigo in existing:
        return existing[spec.codigo], False
    payload = proyecto_payload(spec, empresa_id, date.today())
    response = client.post("/proyectos/", json=payload)
    if "codigo" in _field_errors(response):
        # Created by another run going on at the same time.
        proyecto = find_one(client, "/proyectos/", "codigo", spec.codigo)
        if proyecto is not None:
            return proyecto, False
    return expect(response, httpx.codes.CREATED), True


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def ensure_programacion(
    client: httpx.Client, spec: ProyectoSpec, proyecto: dict
) -> tuple[int, int, str]:
    """Add the versions and months of seguimiento SAP does not have yet.

    Returns how many versions and months were added, and the semáforo.
    """
    path = f"/programacion/{proyecto['id']}/"
    resumen = expect(client.get(path), httpx.codes.OK)
    versiones, seguimiento = programacion_for(
        spec,
        _date(proyecto["fecha_inicio"]),
        _date(proyecto["fecha_fin_programada"]),
        _date(proyecto["fecha_fin_real"]),
        date.today(),
    )
    stored = resumen["version_vigente"] or 0
    for version in versiones[stored:]:
        expect(client.post(f"{path}versiones/", json=version), httpx.codes.CREATED)
    reported = {
        (m["anio"], m["mes"])
        for m in resumen["meses"]
        if m["avance_fisico_real"] is not None
    }
    missing = [m for m in seguimiento if (m["anio"], m["mes"]) not in reported]
    for month in missing:
        expect(client.post(f"{path}seguimiento/", json=month), httpx.codes.CREATED)
    added_versions = max(0, len(versiones) - stored)
    if added_versions or missing:
        resumen = expect(client.get(path), httpx.codes.OK)
    return added_versions, len(missing), resumen["semaforo"]


def load(client: httpx.Client, password: str) -> None:
    """Sign in and load every demo record that SAP does not have yet."""
    started = time.monotonic()
    check_gateway(client)
    client.headers["Authorization"] = f"Bearer {sign_in(client, password)}"

    empresas = build_empresas()
    empresa_ids, empresas_created = ensure_empresas(client, empresas)
    logger.info("empresas: %d, %d of them new", len(empresas), empresas_created)

    specs = build_proyectos(empresas)
    existing = {
        p["codigo"]: p
        for p in list_all(client, "/proyectos/", {"search": CODIGO_PREFIX})
        if p["codigo"].startswith(CODIGO_PREFIX)
    }
    totals = Counter()
    semaforos = Counter()
    centro_id = None
    for spec in specs:
        proyecto, created = ensure_proyecto(
            client, spec, empresa_ids[spec.empresa_nit], existing
        )
        versiones, meses, semaforo = ensure_programacion(client, spec, proyecto)
        totals.update(proyectos=created, versiones=versiones, seguimiento=meses)
        semaforos[semaforo] += 1
        if semaforo != EXPECTED_SEMAFORO[spec.profile]:
            logger.warning(
                "%s has semáforo %s, expected %s",
                spec.codigo,
                semaforo,
                EXPECTED_SEMAFORO[spec.profile],
            )
        if spec.nombre == CENTRO_DE_SALUD:
            centro_id = proyecto["id"]
        logger.info(
            "%s %-9s %s%s",
            spec.codigo,
            semaforo,
            spec.nombre,
            " (new)" if created else "",
        )

    logger.info(
        "demo data ready in %.1f s: %d empresas (%d new), %d proyectos (%d new), "
        "versiones added: %d, months of seguimiento added: %d; semáforo %s. "
        "Detalle of «%s»: %s/proyectos/detalle/%s/",
        time.monotonic() - started,
        len(empresas),
        empresas_created,
        len(specs),
        totals["proyectos"],
        totals["versiones"],
        totals["seguimiento"],
        ", ".join(f"{name} {count}" for name, count in sorted(semaforos.items())),
        CENTRO_DE_SALUD,
        client.base_url,
        centro_id,
    )


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    # One line per request would bury the summary.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
    timeout = httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT)
    try:
        with httpx.Client(base_url=gateway_base_url(), timeout=timeout) as client:
            load(client, password)
    except DemoError as exc:
        logger.error("make demo failed: %s", exc)
        return 1
    except httpx.TransportError as exc:
        logger.error(
            "make demo failed: the gateway stopped answering (%s: %s); check "
            "`make status`, then run `make demo` again to load the rest.",
            exc.__class__.__name__,
            exc,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
