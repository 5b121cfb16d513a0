# ruff: noqa: RUF001  (typographic dashes, minus and multiplication signs in the copy)
"""The shop's demo content, in Spanish: categories, the catalogue page and its products.

Like cms/base/demo/content.py, every string here is translated in
cms/base/demo/translations/<language>.json; `python manage.py demo_strings` lists the
ones a language still lacks. `build_shop` is idempotent: categories are found by slug
and locale, pages by slug under their parent, images by title. Each product has a drawing of
what it is (ILLUSTRATIONS); products made by an older version, with the shared gradient
images, get theirs on the next run (the loader then refreshes their translations).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from wagtail.models import Locale, Page

from cms.base.demo.content import block, holds_retired_claim
from cms.base.demo.images import draw_product, product_image
from cms.shop.models import ProductCategory, ProductIndexPage, ProductPage, ProductRelation

INDEX_PAGE = {
    "title": "Tienda",
    "slug": "tienda",
    "intro": "Calzado, sensores, recuperación, ropa técnica y accesorios para tus robots.",
    "search_description": (
        "La tienda de Croody: calzado, sensores, recuperación, ropa y accesorios para robots."
    ),
}

# slug -> (name, description, image motif)
CATEGORIES = {
    "zapatillas": (
        "Zapatillas de running",
        "Calzado para asfalto, pista y montaña.",
        "crimson",
    ),
    "sensores": (
        "Sensores y pulsómetros",
        "Pulso, cadencia y potencia, para medir cómo entrenas.",
        "night",
    ),
    "recuperacion": (
        "Recuperación",
        "Material para descansar mejor entre sesiones.",
        "jungle",
    ),
    "robots": (
        "Accesorios para robots",
        "Baterías, ruedas y módulos para los robots de Croody.",
        "gator",
    ),
    "ropa": (
        "Ropa técnica",
        "Prendas transpirables para entrenar con frío, calor o lluvia.",
        "sand",
    ),
}

DETAIL_CAPTION = "Detalle de materiales y acabados."

# slug -> (drawing, variant, colour, alt text describing the drawing)
ILLUSTRATIONS = {
    "tempo-3": (
        "shoe",
        "road",
        "red",
        "Dibujo de una zapatilla de running roja de perfil, con cordones blancos y suela blanca.",
    ),
    "sendero-gtx": (
        "shoe",
        "trail",
        "green",
        "Dibujo de una zapatilla de montaña verde con tacos negros en la suela.",
    ),
    "pista-elite": (
        "shoe",
        "plate",
        "orange",
        "Dibujo de una zapatilla de competición naranja con la punta curvada y una placa oscura en la suela.",
    ),
    "rodaje-suave": (
        "shoe",
        "cushioned",
        "blue",
        "Dibujo de una zapatilla azul con una suela blanca muy gruesa.",
    ),
    "inicio": (
        "shoe",
        "beginner",
        "purple",
        "Dibujo de una zapatilla morada con el talón reforzado por un círculo blanco.",
    ),
    "pulso-h2": (
        "strap",
        "chest",
        "teal",
        "Dibujo de una banda de pecho verde azulada con un sensor negro que muestra una línea de pulso.",
    ),
    "sensor-paso": (
        "strap",
        "pod",
        "yellow",
        "Dibujo de un pequeño sensor amarillo ovalado con una pinza negra para el calzado.",
    ),
    "brazalete-ritmo": (
        "strap",
        "arm",
        "pink",
        "Dibujo de un brazalete rosa con un sensor redondo negro y una luz roja en el centro.",
    ),
    "vatio": (
        "power",
        "crank",
        "red",
        "Dibujo de un plato de bicicleta con una biela roja que lleva el medidor de potencia y un pedal.",
    ),
    "bascula-balance": (
        "scale",
        "body",
        "grey",
        "Dibujo de una báscula gris vista desde arriba, con una pantalla que marca 72.4 y dos apoyos para los pies.",
    ),
    "rodillo-suelta": (
        "roller",
        "foam",
        "blue",
        "Dibujo de un rodillo de espuma azul con relieve de surcos.",
    ),
    "pulsa-mini": (
        "massage-gun",
        "mini",
        "black",
        "Dibujo de una pistola de masaje negra con mango y un cabezal redondo blanco.",
    ),
    "botas-aire": (
        "boot",
        "air",
        "grey",
        "Dibujo de un par de botas de compresión grises, altas y divididas en cámaras de aire.",
    ),
    "calcetines-compresion": (
        "boot",
        "socks",
        "purple",
        "Dibujo de dos calcetines altos de compresión, uno morado y otro blanco, con puño negro.",
    ),
    "esterilla-calma": (
        "roller",
        "mat",
        "green",
        "Dibujo de una esterilla verde enrollada, con la espiral visible en un extremo.",
    ),
    "bateria-r1": (
        "battery",
        "pack",
        "green",
        "Dibujo de una batería negra con cuatro barras de carga verdes.",
    ),
    "base-carga": (
        "battery",
        "dock",
        "blue",
        "Dibujo de una base de carga negra con un módulo azul marcado con un rayo blanco.",
    ),
    "ruedas-todoterreno": (
        "wheels",
        "four",
        "orange",
        "Dibujo de cuatro ruedas negras con tacos y llantas naranjas.",
    ),
    "modulo-gps": (
        "module",
        "gps",
        "teal",
        "Dibujo de un módulo electrónico verde azulado con un chip negro, pines dorados y una antena que emite señal.",
    ),
    "funda-transporte": (
        "case",
        "hard",
        "black",
        "Dibujo de una funda rígida negra con asa y dos cierres blancos.",
    ),
    "camiseta-brisa": (
        "garment",
        "shirt",
        "yellow",
        "Dibujo de una camiseta de manga corta amarilla, vista de frente.",
    ),
    "chaqueta-racha": (
        "garment",
        "jacket",
        "red",
        "Dibujo de una chaqueta cortavientos roja con capucha, cremallera y una franja reflectante en la manga.",
    ),
    "mallas-invierno": (
        "garment",
        "tights",
        "black",
        "Dibujo de unas mallas largas negras, vistas de frente.",
    ),
    "gorra-noche": (
        "garment",
        "cap",
        "blue",
        "Dibujo de una gorra azul de perfil con visera y una banda reflectante.",
    ),
    "chaleco-oasis": (
        "garment",
        "vest",
        "orange",
        "Dibujo de un chaleco de hidratación naranja con dos bidones blandos en el pecho.",
    ),
}
DETAIL_ALT = "Primer plano. "  # before the alt text of a close-up


@dataclass(frozen=True)
class Product:
    title: str
    slug: str
    sku: str
    price: str
    stock: int
    category: str
    summary: str
    text: str
    specs: list[tuple[str, str]]
    tags: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    detail_image: bool = False  # a second gallery image


PRODUCTS = [
    # Running shoes
    Product(
        "Zapatillas Tempo 3",
        "tempo-3",
        "CR-RUN-001",
        "129.90",
        34,
        "zapatillas",
        "Zapatilla ligera de entrenamiento diario con amortiguación reactiva y drop de 8 mm.",
        "<p>La Tempo 3 sirve para rodajes, series y tiradas largas. Su espuma devuelve "
        "energía en cada zancada y la malla transpirable mantiene el pie fresco.</p>",
        [("Peso", "245 g"), ("Drop", "8 mm"), ("Superficie", "Asfalto"), ("Tallas", "36–47")],
        ["asfalto", "diario"],
        ["rodaje-suave", "sensor-paso", "calcetines-compresion"],
        detail_image=True,
    ),
    Product(
        "Zapatillas Sendero GTX",
        "sendero-gtx",
        "CR-RUN-002",
        "159.00",
        12,
        "zapatillas",
        "Zapatilla de montaña impermeable con tacos de 5 mm para terreno técnico.",
        "<p>Pensada para senderos embarrados y bajadas rápidas: la membrana impermeable "
        "y la puntera reforzada protegen el pie durante horas.</p>",
        [("Peso", "310 g"), ("Drop", "6 mm"), ("Superficie", "Montaña"), ("Tallas", "38–47")],
        ["montaña", "impermeable"],
        ["chaleco-oasis", "chaqueta-racha"],
    ),
    Product(
        "Zapatillas Pista Élite",
        "pista-elite",
        "CR-RUN-003",
        "189.50",
        0,
        "zapatillas",
        "Zapatilla de competición con placa de carbono, del 5K al maratón.",
        "<p>La placa de carbono y la espuma de alto rebote hacen que cada kilómetro "
        "cueste menos. Resérvala para carreras y entrenamientos clave.</p>",
        [("Peso", "198 g"), ("Drop", "8 mm"), ("Superficie", "Asfalto"), ("Tallas", "36–46")],
        ["competición", "asfalto"],
        ["tempo-3", "vatio"],
    ),
    Product(
        "Zapatillas Rodaje Suave",
        "rodaje-suave",
        "CR-RUN-004",
        "99.95",
        3,
        "zapatillas",
        "Máxima amortiguación para rodajes largos y días de recuperación.",
        "<p>Una suela ancha y blanda que perdona los pasos cansados. Ideal para los "
        "días en los que toca ir despacio.</p>",
        [("Peso", "280 g"), ("Drop", "10 mm"), ("Superficie", "Asfalto"), ("Tallas", "36–48")],
        ["asfalto", "recuperación"],
        ["tempo-3", "rodillo-suelta"],
    ),
    Product(
        "Zapatillas Inicio",
        "inicio",
        "CR-RUN-005",
        "69.00",
        58,
        "zapatillas",
        "Zapatilla estable y cómoda para quien empieza a correr.",
        "<p>Sujeta bien el talón y corrige la pisada sin rigidez. La mejor compañera "
        "para tus primeros cinco kilómetros.</p>",
        [("Peso", "270 g"), ("Drop", "10 mm"), ("Superficie", "Asfalto"), ("Tallas", "35–47")],
        ["principiantes"],
        ["camiseta-brisa", "pulso-h2"],
    ),
    # Sensors
    Product(
        "Pulsómetro de pecho Pulso H2",
        "pulso-h2",
        "CR-SEN-001",
        "79.90",
        41,
        "sensores",
        "Banda de pecho con precisión de electrocardiograma, Bluetooth y ANT+.",
        "<p>La referencia para medir el pulso en series cortas y entrenar en tus zonas "
        "de intensidad.</p>",
        [
            ("Conexión", "Bluetooth y ANT+"),
            ("Batería", "400 horas"),
            ("Resistencia al agua", "30 m"),
        ],
        ["bluetooth", "ant+"],
        ["brazalete-ritmo", "sensor-paso"],
        detail_image=True,
    ),
    Product(
        "Sensor de cadencia Paso",
        "sensor-paso",
        "CR-SEN-002",
        "39.00",
        0,
        "sensores",
        "Se engancha a la zapatilla y mide cadencia, tiempo de contacto y zancada.",
        "<p>Pesa menos que una moneda y se coloca en los cordones. Sus datos muestran "
        "cuándo la técnica se resiente por el cansancio.</p>",
        [("Conexión", "Bluetooth"), ("Batería", "12 meses"), ("Peso", "9 g")],
        ["bluetooth", "técnica"],
        ["tempo-3", "vatio"],
    ),
    Product(
        "Brazalete óptico Ritmo",
        "brazalete-ritmo",
        "CR-SEN-003",
        "59.90",
        17,
        "sensores",
        "Pulso óptico en el antebrazo, cómodo para fuerza, ciclismo y carrera.",
        "<p>Sin banda en el pecho: el brazalete lee el pulso con luz y se olvida que "
        "lo llevas. Perfecto para sesiones de fuerza.</p>",
        [("Conexión", "Bluetooth y ANT+"), ("Batería", "30 horas"), ("Peso", "22 g")],
        ["bluetooth", "ant+"],
        ["pulso-h2"],
    ),
    Product(
        "Medidor de potencia Vatio",
        "vatio",
        "CR-SEN-004",
        "219.00",
        2,
        "sensores",
        "Mide tu potencia de carrera en vatios para dosificar cuestas y series.",
        "<p>La potencia responde al instante, antes que el pulso. Con Vatio dosificas "
        "el esfuerzo en cada cuesta.</p>",
        [("Conexión", "Bluetooth y ANT+"), ("Batería", "20 horas"), ("Peso", "14 g")],
        ["potencia", "ant+"],
        ["sensor-paso", "pista-elite"],
    ),
    Product(
        "Báscula inteligente Balance",
        "bascula-balance",
        "CR-SEN-005",
        "89.00",
        9,
        "sensores",
        "Peso, grasa y masa muscular, medidos cada mañana.",
        "<p>Súbete al despertar: Balance guarda las medidas de hasta ocho personas y "
        "muestra su evolución en su pantalla.</p>",
        [("Conexión", "Wi-Fi"), ("Usuarios", "8"), ("Capacidad", "180 kg")],
        ["wi-fi"],
        ["pulso-h2"],
    ),
    # Recovery
    Product(
        "Rodillo de masaje Suelta",
        "rodillo-suelta",
        "CR-REC-001",
        "34.90",
        63,
        "recuperacion",
        "Rodillo de espuma de densidad media para soltar piernas y espalda.",
        "<p>Diez minutos después de correr bastan para notar las piernas más ligeras. "
        "Su superficie con relieve trabaja en profundidad.</p>",
        [("Longitud", "33 cm"), ("Densidad", "Media"), ("Peso", "600 g")],
        ["masaje"],
        ["esterilla-calma", "pulsa-mini"],
        detail_image=True,
    ),
    Product(
        "Pistola de masaje Pulsa Mini",
        "pulsa-mini",
        "CR-REC-002",
        "149.00",
        0,
        "recuperacion",
        "Percusión en cinco velocidades que cabe en la mochila.",
        "<p>Cuatro cabezales para gemelos, cuádriceps, espalda y pies. Silenciosa y con "
        "batería para una semana de uso.</p>",
        [("Velocidades", "5"), ("Batería", "6 horas"), ("Peso", "450 g")],
        ["masaje"],
        ["rodillo-suelta", "botas-aire"],
    ),
    Product(
        "Botas de compresión Aire",
        "botas-aire",
        "CR-REC-003",
        "399.00",
        4,
        "recuperacion",
        "Compresión neumática secuencial para recuperar tras las sesiones duras.",
        "<p>Cinco cámaras de aire se inflan de los pies a la cadera y activan el "
        "retorno venoso. Veinte minutos y vuelves a estar listo.</p>",
        [("Cámaras", "5"), ("Programas", "3"), ("Tallas", "S, M, L")],
        ["compresión"],
        ["calcetines-compresion", "pulsa-mini"],
    ),
    Product(
        "Calcetines de compresión",
        "calcetines-compresion",
        "CR-REC-004",
        "24.95",
        120,
        "recuperacion",
        "Compresión graduada para viajes largos y rodajes de recuperación.",
        "<p>Tejido transpirable con compresión de 20 mmHg en el tobillo. Ayudan a "
        "llegar con las piernas frescas a la siguiente sesión.</p>",
        [("Compresión", "20 mmHg"), ("Tallas", "S, M, L"), ("Material", "Poliamida")],
        ["compresión"],
        ["botas-aire", "tempo-3"],
    ),
    Product(
        "Esterilla de estiramientos Calma",
        "esterilla-calma",
        "CR-REC-005",
        "44.00",
        22,
        "recuperacion",
        "Esterilla antideslizante de 6 mm para estiramientos y movilidad.",
        "<p>Para tus rutinas de movilidad tras cada sesión: firme, antideslizante y "
        "fácil de enrollar.</p>",
        [("Grosor", "6 mm"), ("Medidas", "183 × 61 cm"), ("Peso", "1,2 kg")],
        ["movilidad"],
        ["rodillo-suelta"],
    ),
    # Robot accessories
    Product(
        "Batería de repuesto para robot R1",
        "bateria-r1",
        "CR-BOT-001",
        "69.90",
        15,
        "robots",
        "Batería de litio de larga duración para el robot R1.",
        "<p>Cámbiala en segundos y sigue entrenando: en «Mis robots» ves cuánta carga "
        "le queda al robot.</p>",
        [("Capacidad", "5000 mAh"), ("Autonomía", "6 horas"), ("Peso", "210 g")],
        ["telemetría"],
        ["base-carga", "funda-transporte"],
        detail_image=True,
    ),
    Product(
        "Base de carga rápida",
        "base-carga",
        "CR-BOT-002",
        "119.00",
        6,
        "robots",
        "El robot vuelve solo a la base y se carga en 45 minutos.",
        "<p>La base guía al robot con balizas infrarrojas y le devuelve la carga "
        "completa antes de la siguiente salida.</p>",
        [("Carga completa", "45 minutos"), ("Potencia", "65 W"), ("Peso", "1,1 kg")],
        ["telemetría", "carga"],
        ["bateria-r1"],
    ),
    Product(
        "Ruedas todoterreno (pack de 4)",
        "ruedas-todoterreno",
        "CR-BOT-003",
        "49.50",
        0,
        "robots",
        "Ruedas de goma con tacos para que el robot te siga por caminos de tierra.",
        "<p>Más agarre en tierra, gravilla y césped. Se montan sin herramientas en "
        "menos de un minuto.</p>",
        [("Diámetro", "85 mm"), ("Material", "Caucho"), ("Unidades", "4")],
        ["montaña"],
        ["modulo-gps", "funda-transporte"],
    ),
    Product(
        "Módulo GPS de precisión",
        "modulo-gps",
        "CR-BOT-004",
        "89.90",
        11,
        "robots",
        "GPS de doble frecuencia para que el robot sepa dónde estás al metro.",
        "<p>Con el módulo GPS el robot te acompaña por circuitos nuevos y la telemetría "
        "dibuja el recorrido en directo.</p>",
        [("Precisión", "1 m"), ("Frecuencias", "L1 y L5"), ("Peso", "35 g")],
        ["gps", "telemetría"],
        ["ruedas-todoterreno", "bateria-r1"],
    ),
    Product(
        "Funda de transporte acolchada",
        "funda-transporte",
        "CR-BOT-005",
        "54.00",
        28,
        "robots",
        "Funda rígida con espuma a medida para llevar el robot y sus accesorios.",
        "<p>Compartimentos para la batería de repuesto, las ruedas y el cargador. "
        "Resiste golpes y lluvia.</p>",
        [("Medidas", "45 × 32 × 20 cm"), ("Peso", "1,4 kg"), ("Material", "EVA")],
        ["viaje"],
        ["bateria-r1", "ruedas-todoterreno"],
    ),
    # Technical clothing
    Product(
        "Camiseta técnica Brisa",
        "camiseta-brisa",
        "CR-APP-001",
        "29.95",
        80,
        "ropa",
        "Camiseta ultraligera que seca en minutos, para los días de calor.",
        "<p>Tejido de malla abierta en la espalda y costuras planas que no rozan, ni "
        "siquiera en una media maratón.</p>",
        [("Peso", "95 g"), ("Material", "Poliéster reciclado"), ("Tallas", "XS–XXL")],
        ["verano"],
        ["gorra-noche", "inicio"],
        detail_image=True,
    ),
    Product(
        "Chaqueta cortavientos Racha",
        "chaqueta-racha",
        "CR-APP-002",
        "89.00",
        14,
        "ropa",
        "Cortavientos plegable con capucha y detalles reflectantes.",
        "<p>Se guarda en su propio bolsillo y pesa menos que una manzana. Repele la "
        "llovizna y corta el viento en las salidas de invierno.</p>",
        [("Peso", "120 g"), ("Material", "Poliamida"), ("Tallas", "XS–XXL")],
        ["invierno", "reflectante"],
        ["mallas-invierno", "sendero-gtx"],
    ),
    Product(
        "Mallas térmicas Invierno",
        "mallas-invierno",
        "CR-APP-003",
        "54.90",
        0,
        "ropa",
        "Mallas largas con interior perchado para correr a bajas temperaturas.",
        "<p>Abrigan sin dar calor de más y tienen un bolsillo trasero con cremallera "
        "para las llaves.</p>",
        [
            ("Temperatura", "De −5 a 10 °C"),
            ("Material", "Poliéster y elastano"),
            ("Tallas", "XS–XXL"),
        ],
        ["invierno"],
        ["chaqueta-racha"],
    ),
    Product(
        "Gorra reflectante Noche",
        "gorra-noche",
        "CR-APP-004",
        "19.90",
        45,
        "ropa",
        "Gorra ligera con visera flexible y ribetes que se ven a 150 metros.",
        "<p>Protege del sol por la mañana y te hace visible al anochecer. Se lava a máquina.</p>",
        [("Peso", "45 g"), ("Visibilidad", "150 m"), ("Talla", "Única")],
        ["reflectante", "verano"],
        ["camiseta-brisa"],
    ),
    Product(
        "Chaleco de hidratación Oasis",
        "chaleco-oasis",
        "CR-APP-005",
        "74.50",
        5,
        "ropa",
        "Chaleco de 8 litros con dos bidones blandos para tiradas largas y montaña.",
        "<p>Se ajusta al cuerpo sin rebotar. Lleva agua, geles y un cortavientos para "
        "salidas de varias horas.</p>",
        [("Capacidad", "8 l"), ("Bidones", "2 × 500 ml"), ("Peso", "230 g")],
        ["montaña", "hidratación"],
        ["sendero-gtx", "chaqueta-racha"],
    ),
]


def build_shop(home: Page, locale: Locale) -> list:
    """Create the Spanish shop objects that are missing under `home`.

    Returns categories first, then the catalogue page, then the products: the order in
    which they can be translated (a product's category must exist in a language first).
    """
    categories = [_category(slug, locale) for slug in CATEGORIES]
    by_slug = {category.slug: category for category in categories}
    index = ProductIndexPage.objects.child_of(home).filter(slug=INDEX_PAGE["slug"]).first()
    if index is None:
        index = home.add_child(instance=ProductIndexPage(**INDEX_PAGE, locale=locale))
        index.save_revision().publish()
    elif holds_retired_claim(index.intro, index.search_description):
        index.intro = INDEX_PAGE["intro"]
        index.search_description = INDEX_PAGE["search_description"]
        index.save_revision().publish()
        index._croody_updated = True  # cms.base.demo.loader.mark_updated: retranslate
    products: dict[str, ProductPage] = {}
    created: list[tuple[ProductPage, Product]] = []
    for number, item in enumerate(PRODUCTS, start=1):
        page = ProductPage.objects.child_of(index).filter(slug=item.slug).first()
        if page is None:
            page = index.add_child(instance=_product(item, number, by_slug[item.category], locale))
            created.append((page, item))
        products[item.slug] = page
    for page, item in created:  # second pass: related products point at pages made above
        page.related_links = [
            ProductRelation(product=products[slug], sort_order=order)
            for order, slug in enumerate(item.related)
            if slug in products
        ]
        page.tags.set(item.tags)
        page.save_revision().publish()
    made = {page.pk for page, _item in created}
    for item in PRODUCTS:
        page = products[item.slug]
        gallery = _gallery(item)
        changed = False
        if page.pk not in made and _image_ids(page.gallery.raw_data) != _image_ids(gallery):
            page.gallery = gallery  # an older version's gradient images
            changed = True
        if page.pk not in made and holds_retired_claim(
            page.summary, page.search_description, page.description.raw_data
        ):  # an older version's text, with claims the product does not back
            page.summary = page.search_description = item.summary
            page.description = [block("paragraph", item.text)]
            changed = True
        if changed:
            page.save_revision().publish()
            page._croody_updated = True  # cms.base.demo.loader.mark_updated: retranslate
    return [*categories, index, *products.values()]


def _category(slug: str, locale: Locale) -> ProductCategory:
    category = ProductCategory.objects.filter(slug=slug, locale=locale).first()
    name, description, _motif = CATEGORIES[slug]
    if category is None:
        category = ProductCategory.objects.create(
            slug=slug, name=name, description=description, locale=locale
        )
    elif holds_retired_claim(category.description):
        category.description = description
        category.save()
        category._croody_updated = True  # cms.base.demo.loader.mark_updated: retranslate
    return category


def _image_ids(gallery: list[dict]) -> list[int]:
    return [block["value"]["image"] for block in gallery]


def _gallery(item: Product) -> list[dict]:
    """The product's drawing, and a close-up of it for products with a detail image."""
    shape, variant, colour, alt = ILLUSTRATIONS[item.slug]
    image = product_image(
        f"product-{item.slug}-v2",
        f"{item.title} (ilustración)",
        lambda: draw_product(shape, variant, colour),
    )
    gallery = [block("image", {"image": image.pk, "alt_text": alt, "caption": ""})]
    if item.detail_image:
        detail = product_image(
            f"product-{item.slug}-detail-v2",
            f"{item.title} (ilustración, detalle)",
            lambda: draw_product(shape, variant, colour, detail=True),
        )
        gallery.append(
            block(
                "image",
                {"image": detail.pk, "alt_text": DETAIL_ALT + alt, "caption": DETAIL_CAPTION},
            )
        )
    return gallery


def _product(item: Product, number: int, category: ProductCategory, locale: Locale) -> ProductPage:
    return ProductPage(
        title=item.title,
        slug=item.slug,
        sku=item.sku,
        price=Decimal(item.price),
        currency="EUR",
        stock=item.stock,
        category=category,
        summary=item.summary,
        search_description=item.summary,
        gallery=_gallery(item),
        description=[block("paragraph", item.text)],
        specifications=[
            block("spec", {"name": name, "value": value}) for name, value in item.specs
        ],
        locale=locale,
    )
