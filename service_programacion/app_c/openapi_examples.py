"""Examples shown in the OpenAPI schema.

Both are real answers: ``test_views`` builds the same proyecto and checks
that the API still answers exactly this (with its own proyecto id).

``RESUMEN``: plan from February to June 2026, February and March reported,
seen on 15 April 2026 with a marco of 1,500,000.00 from 2026-02-01 to
2026-12-31.

``LIMITES``: a baseline from February to July 2026, reprogrammed to February
to May (600,000.00 in force), and those four months reported for 600,000.00.
The baseline's June and July bind nothing.
"""

RESUMEN = {
    "proyecto_id": 42,
    "version_vigente": 1,
    "avance_fisico": {"programado": "100.00", "real": "27.50"},
    "avance_financiero": {"programado": "1500000.00", "ejecutado": "430000.00"},
    "meses": [
        {
            "anio": 2026,
            "mes": 2,
            "avance_fisico_programado": "10.00",
            "avance_fisico_real": "8.00",
            "monto_programado": "150000.00",
            "monto_ejecutado": "120000.00",
        },
        {
            "anio": 2026,
            "mes": 3,
            "avance_fisico_programado": "20.00",
            "avance_fisico_real": "19.50",
            "monto_programado": "300000.00",
            "monto_ejecutado": "310000.00",
        },
        {
            "anio": 2026,
            "mes": 4,
            "avance_fisico_programado": "30.00",
            "avance_fisico_real": None,
            "monto_programado": "450000.00",
            "monto_ejecutado": None,
        },
        {
            "anio": 2026,
            "mes": 5,
            "avance_fisico_programado": "25.00",
            "avance_fisico_real": None,
            "monto_programado": "375000.00",
            "monto_ejecutado": None,
        },
        {
            "anio": 2026,
            "mes": 6,
            "avance_fisico_programado": "15.00",
            "avance_fisico_real": None,
            "monto_programado": "225000.00",
            "monto_ejecutado": None,
        },
    ],
    "indicadores": {
        "corte": {"anio": 2026, "mes": 3},
        "fisico_programado": "30.00",
        "fisico_real": "27.50",
        "desviacion_fisica": "-2.50",
        "financiero_programado": "30.00",
        "financiero_ejecutado": "28.67",
        "monto_programado_a_la_fecha": "450000.00",
        "desviacion_financiera": "-20000.00",
        "valor_planificado": "450000.00",
        "valor_ganado": "412500.00",
        "costo_real": "430000.00",
        "spi": "0.92",
        "cpi": "0.96",
        "saldo_por_ejecutar": "1070000.00",
        "plazo_transcurrido": "21.92",
    },
    "curva_s": [
        {
            "anio": 2026,
            "mes": 2,
            "fisico_programado_acumulado": "10.00",
            "fisico_real_acumulado": "8.00",
            "financiero_programado_acumulado": "150000.00",
            "financiero_ejecutado_acumulado": "120000.00",
        },
        {
            "anio": 2026,
            "mes": 3,
            "fisico_programado_acumulado": "30.00",
            "fisico_real_acumulado": "27.50",
            "financiero_programado_acumulado": "450000.00",
            "financiero_ejecutado_acumulado": "430000.00",
        },
        {
            "anio": 2026,
            "mes": 4,
            "fisico_programado_acumulado": "60.00",
            "fisico_real_acumulado": None,
            "financiero_programado_acumulado": "900000.00",
            "financiero_ejecutado_acumulado": None,
        },
        {
            "anio": 2026,
            "mes": 5,
            "fisico_programado_acumulado": "85.00",
            "fisico_real_acumulado": None,
            "financiero_programado_acumulado": "1275000.00",
            "financiero_ejecutado_acumulado": None,
        },
        {
            "anio": 2026,
            "mes": 6,
            "fisico_programado_acumulado": "100.00",
            "fisico_real_acumulado": None,
            "financiero_programado_acumulado": "1500000.00",
            "financiero_ejecutado_acumulado": None,
        },
    ],
    "semaforo": "AMARILLO",
}

LIMITES = {
    "proyecto_id": 9,
    "tiene_registros": True,
    "primer_periodo": "2026-02",
    "ultimo_periodo": "2026-05",
    "monto_programado": "600000.00",
    "monto_ejecutado": "600000.00",
}
