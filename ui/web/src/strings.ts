// Every text a person reads, in Brazilian Portuguese. Components never hold literal copy.

export const t = {
  appName: 'Balcão',
  appTagline: 'Atendimento no WhatsApp do seu escritório',

  // Login
  loginTitle: 'Entrar no Balcão',
  loginAgainTitle: 'Sua sessão terminou',
  loginAgainHint: 'Entre novamente para continuar. Seus rascunhos foram preservados.',
  office: 'Escritório',
  user: 'Usuário',
  password: 'Senha',
  enter: 'Entrar',
  entering: 'Entrando…',
  logout: 'Sair',

  // Navigation
  navInbox: 'Atendimento',
  navJobs: 'Central de Pedidos',
  navClients: 'Habilitação de Clientes',
  navStaff: 'Equipe',
  navHistory: 'Histórico',
  navWhatsApp: 'Conexão WhatsApp',

  // Connection
  connOnline: 'Conectado',
  connConnecting: 'Conectando…',
  connOffline: 'Sem conexão — tentando novamente',
  enableNotifications: 'Ativar notificações',

  // Roles
  roles: { administrador: 'Administrador', gerente: 'Gerente', atendente: 'Atendente' } as Record<string, string>,

  // Inbox
  tabs: { contatos: 'Contatos', pendentes: 'Pendentes', atendimento: 'Em atendimento' } as Record<string, string>,
  search: 'Buscar por nome, telefone ou empresa',
  searchHint: 'A busca considera as conversas já carregadas.',
  loadMore: 'Carregar mais',
  loading: 'Carregando…',
  emptyTab: {
    contatos: 'Nenhuma conversa ainda.',
    pendentes: 'Ninguém aguardando. Tudo em dia!',
    atendimento: 'Nenhuma conversa em atendimento.',
  } as Record<string, string>,
  noResults: 'Nenhuma conversa encontrada.',
  unlinked: 'Não vinculado',
  waitingFor: (d: string) => `aguarda há ${d}`,
  attendingWith: (name: string) => `com ${name}`,
  states: { assistant: 'Assistente virtual', pending: 'Pendente', attending: 'Em atendimento' } as Record<string, string>,
  newPendingTitle: 'Nova conversa pendente',
  newPendingBody: (who: string) => `${who} está aguardando atendimento.`,

  // Conversation
  pickConversation: 'Selecione uma conversa',
  pickConversationHint: 'As conversas pendentes aparecem aqui em tempo real.',
  start: 'Iniciar Atendimento',
  finish: 'Concluir Atendimento',
  linkContact: 'Vincular contato',
  loadOlder: 'Mensagens anteriores',
  today: 'Hoje',
  yesterday: 'Ontem',
  authorClient: 'Cliente',
  authorAssistant: 'Assistente virtual',
  authorSystem: 'Mensagem automática',
  status: { queued: 'Na fila', sent: 'Enviada', delivered: 'Entregue', read: 'Lida', failed: 'Falhou' } as Record<string, string>,
  download: 'Baixar',
  openDocument: 'Abrir o documento',
  noMessages: 'Nenhuma mensagem nesta conversa.',
  back: 'Voltar',

  // Composer
  composerPlaceholder: 'Digite uma mensagem',
  composerHint: 'Enter envia · Shift+Enter quebra a linha',
  composerLocked: 'Inicie o atendimento para responder.',
  composerOther: (name: string) => `Em atendimento com ${name}.`,
  send: 'Enviar',
  tooLong: (kb: string) => `A mensagem tem ${kb} KB; o máximo é 64 KB. Divida o texto em mensagens menores.`,

  // Link dialog
  linkTitle: 'Vincular contato',
  linkHint: (phone: string) => `Escolha a empresa e o nome da pessoa que escreve do número ${phone}.`,
  company: 'Empresa',
  chooseCompany: 'Escolha a empresa',
  contactName: 'Nome do contato',
  save: 'Salvar',
  cancel: 'Cancelar',
  close: 'Fechar',
  saving: 'Salvando…',

  // Companies
  clientsTitle: 'Habilitação de Clientes',
  clientsHint: 'Empresas atendidas pelo escritório e as pessoas que falam por elas.',
  newCompany: 'Nova empresa',
  editCompany: 'Editar empresa',
  companyName: 'Razão social',
  cnpj: 'CNPJ',
  cnpjInvalid: 'CNPJ inválido.',
  nameRequired: 'Informe o nome.',
  enabled: 'Habilitada',
  useAssistant: 'Utilizar assistente virtual',
  createdAt: 'Cadastro',
  id: 'Código',
  yes: 'Sim',
  no: 'Não',
  edit: 'Editar',
  contacts: 'Contatos',
  contactsOf: (name: string) => `Contatos de ${name}`,
  pickCompany: 'Selecione uma empresa para ver os contatos.',
  noContacts: 'Nenhum contato cadastrado.',
  phone: 'Telefone',
  addContact: 'Adicionar contato',
  remove: 'Remover',
  confirmRemoveContact: (name: string, company: string) => `Remover ${name} da empresa ${company}?`,
  phoneInvalid: 'Telefone inválido.',
  noCompanies: 'Nenhuma empresa cadastrada.',

  // Staff
  staffTitle: 'Equipe',
  staffHint: 'Contas de acesso e papéis. Somente administradores gerenciam a equipe.',
  newStaff: 'Novo membro',
  editStaff: 'Editar membro',
  name: 'Nome',
  role: 'Papel',
  newPassword: 'Nova senha (deixe em branco para manter)',
  passwordRequired: 'Informe a senha.',
  userRequired: 'Informe o usuário.',
  confirmRemoveStaff: (name: string) => `Remover o acesso de ${name}?`,
  adminOnly: 'Somente administradores gerenciam a equipe.',
  you: 'você',

  // Jobs
  jobsTitle: 'Central de Pedidos',
  jobsHint: 'Pedidos de documentos ao sistema contábil.',
  jobTabs: { pendentes: 'Pendentes', aguardando: 'Aguardando', processando: 'Processando', processados: 'Processados' } as Record<string, string>,
  intents: {
    holerite: 'Holerite',
    das: 'Guia do DAS',
    fgts: 'Guia do FGTS',
    inss: 'Guia do INSS',
    darf: 'DARF',
    icms: 'Guia do ICMS',
    iss: 'Guia do ISS',
    informe_rendimentos: 'Informe de rendimentos',
    ferias: 'Recibo de férias',
    pro_labore: 'Pró-labore',
    decimo_terceiro: '13º salário',
    rescisao: 'Rescisão',
    balancete: 'Balancete',
    dre: 'DRE',
    balanco: 'Balanço',
    faturamento: 'Faturamento',
    extrato_simples: 'Extrato do Simples',
    relacao_empregados: 'Relação de empregados',
    certidao_negativa: 'Certidão negativa',
    boleto_honorarios: 'Boleto de honorários',
  } as Record<string, string>,
  retry: 'Repetir',
  confirm: 'Confirmar',
  reply: 'Responder',
  noJobs: 'Nenhum pedido nesta aba.',
  replyPlaceholder: 'Resposta ao cliente',

  // WhatsApp
  waTitle: 'Conexão WhatsApp',
  waHint: 'Situação do número de WhatsApp do escritório.',
  waStates: {
    connecting: 'Conectando…',
    waiting_qr: 'Aguardando leitura do QR Code',
    connected: 'Conectado',
    logged_out: 'Desconectado',
    unreachable: 'Inacessível',
  } as Record<string, string>,
  waScan: 'Abra o WhatsApp no celular do escritório, toque em Aparelhos conectados e leia o código abaixo.',
  waPhone: 'Número',
  refresh: 'Atualizar',

  // History
  historyTitle: 'Histórico de atendimentos',
  historyHint: 'Disponível para administradores e gerentes.',
  historyEmpty: 'Nenhum atendimento registrado.',

  // Errors
  networkError: 'Não foi possível falar com o servidor. Verifique sua conexão.',
  unexpected: 'Algo deu errado. Tente novamente.',
}

export type Strings = typeof t
